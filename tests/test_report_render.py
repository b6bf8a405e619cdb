"""The HTML report really renders in a browser, and the PDF really has pages with Chinese text.
Skipped with the reason when chromium, weasyprint/pango or pdftotext are missing (CI installs
them with scripts/install-system-deps.sh)."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from netpatrol.report import ReportRequest, write_report
from netpatrol.report.pdf import pdf_available
from report_world import Q3

CHROMIUM = "/usr/bin/chromium"


def _png_pixels(path: Path) -> tuple[int, int, set[bytes]]:
    """(width, height, distinct RGB colours of a sample of rows): a tiny decoder for 8-bit RGB(A)
    PNGs without filters beyond what the samples need, so Pillow is not required."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), f"unexpected PNG format depth={depth} colour={colour}"
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):  # undo the PNG row filter
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    colours = {row[x * bpp:x * bpp + 3] for row in rows[::25] for x in range(0, width, 3)}
    return width, height, colours


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs {CHROMIUM} (Debian package chromium) for the screenshot")
def test_html_renders_in_headless_chromium(world, tmp_path):
    ws, inv, store = world
    html = write_report(ws, inv, store, ReportRequest(period=Q3, lang="zh-CN"), ["html"]).files["html"]
    png = tmp_path / "shot.png"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={png}", "--window-size=1240,1754",
           html.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    assert png.exists(), proc.stderr[-2000:]
    assert png.stat().st_size > 20_000  # a blank page compresses to a few kB
    width, height, colours = _png_pixels(png)
    assert (width, height) == (1240, 1754)
    assert len(colours) > 20, f"page looks blank: {len(colours)} colours"
    assert b"\x1f\x4e\x79" in colours  # the heading/cover navy: the stylesheet was applied


@pytest.mark.skipif(pdf_available() is not None, reason=f"PDF needs weasyprint with pango: {pdf_available()}")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (Debian poppler-utils) to read the PDF")
def test_pdf_has_pages_and_chinese_text(world, tmp_path):
    ws, inv, store = world
    pdf = write_report(ws, inv, store, ReportRequest(period=Q3, lang="zh-CN"), ["pdf"]).files["pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages > 3
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for phrase in ("网络设备季度巡检报告", "签字确认", "重大一级", "east-wan-01", "北山县水务局"):
        assert phrase in text, phrase
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts  # a real CJK font was embedded, not boxes
