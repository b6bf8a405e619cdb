"""Inline SVG charts for the HTML report: no JavaScript and no external files, so the report
stays one file that prints the same as it shows and renders in WeasyPrint."""

from __future__ import annotations

from xml.sax.saxutils import escape

SEVERITY_COLOURS = {"critical": "#b42318", "major": "#dc6803", "minor": "#ca8a04", "info": "#2e6fba"}
PREVIOUS_COLOUR = "#c7d2e0"
CURRENT_COLOUR = "#1f4e79"
_FONT = 'font-family="Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"'


def severity_bars(counts: dict[str, int], labels: dict[str, str], width: int = 520) -> str:
    """One horizontal bar per severity, labelled with its count."""
    row, label_w, top = 28, 150, 8
    biggest = max([*counts.values(), 1])
    span = width - label_w - 50
    parts = []
    for i, (sev, n) in enumerate(counts.items()):
        y = top + i * row
        w = round(span * n / biggest) if n else 0
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="13">{escape(labels[sev])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{max(w, 1)}" height="18" rx="2" fill="{SEVERITY_COLOURS[sev]}"/>')
        parts.append(f'<text x="{label_w + w + 6}" y="{y + 17}" font-size="13" font-weight="bold">{n}</text>')
    height = top * 2 + row * len(counts)
    return _svg(width, height, parts, "severity-chart")


def trend_bars(rows: list[tuple[str, float | None, float | None]], legend: tuple[str, str], title: str,
               width: int = 320) -> str:
    """Per device, the previous (light) and current (dark) value on a 0-100 % scale."""
    row, label_w, top = 26, 112, 30
    span = width - label_w - 44
    parts = [f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>',
             f'<rect x="{width - 150}" y="4" width="10" height="10" fill="{PREVIOUS_COLOUR}"/>',
             f'<text x="{width - 136}" y="13" font-size="10">{escape(legend[0])}</text>',
             f'<rect x="{width - 78}" y="4" width="10" height="10" fill="{CURRENT_COLOUR}"/>',
             f'<text x="{width - 64}" y="13" font-size="10">{escape(legend[1])}</text>']
    for i, (name, previous, current) in enumerate(rows):
        y = top + i * row
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" font-size="11">{escape(name)}</text>')
        for j, (value, colour) in enumerate(((previous, PREVIOUS_COLOUR), (current, CURRENT_COLOUR))):
            if value is None:
                continue
            w = round(span * min(max(value, 0), 100) / 100)
            parts.append(f'<rect x="{label_w}" y="{y + 2 + j * 10}" width="{max(w, 1)}" height="9" fill="{colour}"/>')
        if current is not None:
            parts.append(f'<text x="{label_w + span + 4}" y="{y + 18}" font-size="10">{current:g}%</text>')
    for pct in (0, 50, 100):
        x = label_w + round(span * pct / 100)
        parts.append(f'<line x1="{x}" y1="{top - 2}" x2="{x}" y2="{top + row * len(rows)}" stroke="#d0d5dd" stroke-dasharray="2,2"/>')
    return _svg(width, top + row * max(len(rows), 1) + 6, parts, "trend-chart")


def _svg(width: int, height: int, parts: list[str], css_class: str) -> str:
    body = "".join(parts)
    return (f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" {_FONT} fill="#1d2939" role="img">{body}</svg>')
