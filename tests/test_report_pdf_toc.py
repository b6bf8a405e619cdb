"""The PDF's table of contents is right: read back with pdftotext, every entry of the TOC page ends
in dot leaders and the number of the page on which that section's heading is printed.

Skipped with the reason when weasyprint/pango or pdftotext are missing (CI installs them with
scripts/install-system-deps.sh)."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from netpatrol.report import ReportRequest, write_report
from netpatrol.report.pdf import pdf_available
from report_world import Q3

pytest_plugins = ["report_world"]
pytestmark = [
    pytest.mark.skipif(pdf_available() is not None, reason=f"PDF needs weasyprint with pango: {pdf_available()}"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (Debian poppler-utils) to read the PDF"),
]
# "3 Findings and recommendations ........ 7": pdftotext keeps the leader dots, sometimes glued.
TOC_LINE = re.compile(r"^(?P<title>\S.*?)\s*\.{4,}\s*(?P<page>\d+)$")


class _Outline(HTMLParser):
    """The TOC's entries (target id, text) and each id's heading text, as the HTML states them."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[tuple[str, str]] = []
        self.headings: dict[str, str] = {}
        self._in_toc = self._link = False
        self._target: str | None = None  # the id of the section whose first heading comes next
        self._heading: list[str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "nav" and "toc" in (a.get("class") or "").split():
            self._in_toc = True
        elif self._in_toc and tag == "a" and (a.get("href") or "").startswith("#"):
            self._link, self._text = True, []
            self.entries.append((a["href"][1:], ""))
        if a.get("id", "").startswith("s-"):
            self._target = a["id"]
        if tag in ("h1", "h2", "h3") and self._target and not self._in_toc:
            self._heading = []

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_toc = False
        elif tag == "a" and self._link:
            self._link = False
            self.entries[-1] = (self.entries[-1][0], _words("".join(self._text)))
        elif tag in ("h1", "h2", "h3") and self._heading is not None and self._target:
            self.headings[self._target] = _words("".join(self._heading))
            self._heading = self._target = None

    def handle_data(self, data):
        if self._link:
            self._text.append(data)
        if self._heading is not None:
            self._heading.append(data)


def _words(text: str) -> str:
    return " ".join(text.split())


def _pages(pdf: Path) -> list[list[str]]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [[_words(line) for line in page.splitlines() if line.strip()] for page in text.split("\f")]


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_pdf_toc_page_numbers_are_where_the_sections_start(world, lang):
    ws, inv, store = world
    files = write_report(ws, inv, store, ReportRequest(period=Q3, lang=lang, appendix=True), ["html", "pdf"]).files
    outline = _Outline()
    outline.feed(files["html"].read_text(encoding="utf-8"))
    assert len(outline.entries) >= 6, outline.entries
    assert {target for target, _ in outline.entries} <= set(outline.headings), "a TOC entry points at no heading"
    pages = _pages(files["pdf"])

    titles = {title for _, title in outline.entries}

    def toc_numbers(lines: list[str]) -> dict[str, int]:
        return {m["title"]: int(m["page"]) for m in map(TOC_LINE.match, lines) if m and m["title"] in titles}

    # The TOC: the first page with entries, and the pages after it while they go on listing entries.
    first = next((i for i, lines in enumerate(pages) if toc_numbers(lines)), None)
    assert first is not None, "no page lists TOC entries with leaders and a page number"
    assert first == 1, f"the cover (with its approval and sign-off) runs over {first} pages"
    printed: dict[str, int] = {}
    toc_at = first
    while toc_at < len(pages) and toc_numbers(pages[toc_at]):
        printed |= toc_numbers(pages[toc_at])
        toc_at += 1
    toc_at -= 1  # the TOC's last page
    for target, title in outline.entries:
        heading = outline.headings[target]
        number = printed.get(title)
        assert number is not None, f"TOC entry {title!r} has no page number: {pages[first:toc_at + 1]}"
        # Where the heading really is: the first page after the TOC with the heading as a line of its own
        # (the running header names the chapter too, but beside the document title).
        actual = next((i + 1 for i in range(toc_at + 1, len(pages)) if heading in pages[i]), None)
        assert actual is not None, f"heading {heading!r} is on no page after the TOC"
        assert number == actual, f"TOC says {title!r} is on page {number}, its heading is on page {actual}"
    numbers = [printed[title] for _, title in outline.entries]
    assert numbers == sorted(numbers) and numbers[0] > toc_at + 1
