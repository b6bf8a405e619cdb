"""Device output is hostile input: the one place that makes a string inert in each output format.

Models, versions, serials, finding details and raw outputs come from the devices (and a device's
config can quote anything). Every writer passes such text through the function for its format, so
that a value cannot become a spreadsheet formula, break the workbook's XML, or open a heading,
a code fence, a link or raw HTML in the Markdown committed to `backups/`. Numbers stay numbers.

- XLSX: `xlsx_cell` writes a value into an openpyxl cell: text is always a string cell (openpyxl
  makes any str starting with "=" a formula), with Excel's quote prefix when it starts like a
  formula (so editing the cell does not turn it into one), and without the characters XML 1.0
  cannot hold (openpyxl raises IllegalCharacterError on them).
- CSV: `csv_cell` follows the OWASP CSV-injection advice: a leading "'" before = + - @ tab CR
  (and their full-width forms); the writer quotes every field.
- Markdown: `md_inline` (running text), `md_cell` (a table cell), `md_code` (a code span) and
  `md_fence` (a fenced block) escape or fence the text so it renders as the same characters, also
  on GitHub (no extended autolink of a web address; tests/test_report_gfm.py reads it with cmark-gfm).
- Terminal and mail headers: `one_line` (a Subject: the stdlib refuses CR/LF in a header, which would
  lose the mail), `terminal` (text for a rich `Text`, never parsed as markup) and `markup` (text to put
  inside a rich markup string) replace escape sequences (`\x1b[2J`, OSC 8 links), C1 controls and
  bidi overrides, so a device cannot clear, retitle or relink the operator's terminal, and escape
  `[`, so `[link=...]` or a stray `[/x]` (a MarkupError) stays text.
- Web pages: `visible` (the same characters as `terminal`, C0 controls shown as ␛ ␂ pictures);
  the templates' autoescaping does the HTML part.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
# XML 1.0 Char excludes C0 controls other than tab/LF/CR, lone surrogates and U+FFFE/U+FFFF; the
# bidi embeddings, overrides and isolates go too: in a report they reorder what the client reads
# ("Trojan Source"), and no report language here is written right to left.
_BIDI = "\u202a-\u202e\u2066-\u2069"
_XML_ILLEGAL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff{_BIDI}]")
# What CommonMark or str.splitlines() (tidy_markdown) would read as a line break.
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
# The other C0/C1 controls (invisible, or a terminal escape when a diff is shown) and non-characters.
_CONTROLS = re.compile(f"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff{_BIDI}]")
# Leading characters a spreadsheet reads as the start of a formula (OWASP CSV injection).
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
XLSX_MAX_TEXT = 32767  # Excel's limit for one cell; longer text makes Excel "repair" the file
# Escaped anywhere in Markdown text: emphasis, code, links/images, autolinks and raw HTML,
# entities, strikethrough, tables, math (GitHub renders $...$) and the escape character itself.
# "<" and "&" before a space or the end cannot start a tag, autolink or entity ("3600 s < 86400 s").
_MD_SPECIAL = re.compile(r"[\\`*_\[\]|~$]|[<&](?=\S)")
# Block syntax that only counts at the start of a line: headings, quotes, list items.
_MD_BLOCK_START = re.compile(r"^(?=#{1,6}(?:\s|$)|>|[-+](?:\s|$))")
_MD_ORDERED = re.compile(r"^(\d{1,9})(?=[.)](?:\s|$))")
# "show_version": an underscore run between letters/digits never opens or closes emphasis.
_INTRAWORD_UNDERSCORE = re.compile(r"(?<=[^\W_])(?:\\_)+(?=[^\W_])")
_MD_RULE = re.compile(r"[-=\s]+")  # setext underline or thematic break
# GitHub turns "http://…" and "www.…" in text into links (GFM extended autolinks) unless the ":"
# or the "." is escaped. An e-mail address still becomes a mailto: link there: no escape prevents
# that, and it opens nothing but a mail draft.
_MD_AUTOLINK = re.compile(r":(?=//)|(?<=[wW]{3})\.")


def clean_text(value: object) -> str:
    """The text with characters XML 1.0 (and so every workbook and HTML parser) rejects, and bidi
    overrides, replaced."""
    return _XML_ILLEGAL.sub(REPLACEMENT, str(value))


# Terminal: every C0/C1 control except tab and newline (ESC starts CSI/OSC sequences, 0x9b is an
# 8-bit CSI, CR overwrites the line) and the bidi embeddings/overrides/isolates that reorder it.
_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def terminal(value: object) -> str:
    """Text that prints as itself on a terminal (use as a rich `Text`, or through `markup`)."""
    return _TERMINAL.sub(REPLACEMENT, str(value))


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x0D:
        return "\r"  # a CRLF config's line end: HTML reads it as a line break, nothing more
    return chr(0x2400 + code) if code < 0x20 else "\u2421" if code == 0x7F else REPLACEMENT


def visible(value: str) -> str:
    """`terminal(value)` for a web page: C0 controls and DEL shown as their Unicode pictures (ESC
    as ␛, STX as ␂), so a reader sees that a device sent one; C1 controls, bidi overrides and lone
    surrogates as U+FFFD."""
    return _TERMINAL.sub(_picture, value)


def one_line(value: object) -> str:
    """`terminal(value)` on one line: line breaks become spaces (a mail Subject, a log field)."""
    return " ".join(_TERMINAL.sub(REPLACEMENT, p).strip() for p in _LINE_BREAKS.split(str(value))).strip()


def markup(value: object) -> str:
    """`terminal(value)` with rich markup escaped, for interpolation into a rich markup string."""
    from rich.markup import escape

    return escape(terminal(value))


# -- spreadsheets -------------------------------------------------------------------------------
def xlsx_text(value: object) -> str:
    """The text a workbook cell stores for `value`. A bare CR becomes LF: written without lxml,
    openpyxl leaves it unescaped and every XML reader turns it into LF, so say so the same way
    whichever writer is installed."""
    text = clean_text(value).replace("\r\n", "\n").replace("\r", "\n")
    return text if len(text) <= XLSX_MAX_TEXT else text[:XLSX_MAX_TEXT - 1] + "…"


def xlsx_cell(cell, value: object) -> None:
    """Put `value` into the openpyxl `cell`: numbers as numbers, anything else as literal text."""
    if value is None or isinstance(value, (bool, int, float)):
        cell.value = value
        return
    text = xlsx_text(value)
    cell.value = text
    cell.data_type = "s"  # after the assignment: the value setter infers "f" from a leading "="
    if text[:1] in FORMULA_STARTS:
        cell.quotePrefix = True


def csv_cell(value: object) -> str:
    """One CSV field; write with csv.QUOTE_ALL so a separator inside cannot start a new cell."""
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        return str(value)
    text = clean_text(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


# -- Markdown -----------------------------------------------------------------------------------
def _md_escape(line: str) -> str:
    line = _CONTROLS.sub(REPLACEMENT, line).strip()
    if _MD_RULE.fullmatch(line):
        return re.sub(r"([-=])", r"\\\1", line)
    line = _MD_SPECIAL.sub(r"\\\g<0>", line)
    line = _MD_AUTOLINK.sub(r"\\\g<0>", line)
    line = _INTRAWORD_UNDERSCORE.sub(lambda m: m.group(0).replace("\\", ""), line)
    line = _MD_BLOCK_START.sub(r"\\", line, count=1)
    return _MD_ORDERED.sub(r"\1\\", line, count=1)  # "1." -> "1\." (a backslash before a digit is literal)


def md_inline(value: object) -> str:
    """Text that renders as itself in running Markdown text, on one line."""
    text = _CONTROLS.sub(REPLACEMENT, str(value))  # first: str.strip() counts \x1c-\x1f as spaces
    return _md_escape(" ".join(p.strip() for p in _LINE_BREAKS.split(text)))


def md_cell(value: object) -> str:
    """Text that stays inside one Markdown table cell (line breaks become <br>)."""
    return "<br>".join(_md_escape(p) for p in _LINE_BREAKS.split(str(value)))


def _backtick_fence(text: str, minimum: int) -> str:
    """Backticks one longer than any run inside `text`, so the text cannot close them."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(minimum, longest + 1)


def md_code(value: object, table: bool = False) -> str:
    """An inline code span holding the text verbatim (on one line)."""
    text = _CONTROLS.sub(REPLACEMENT, " ".join(_LINE_BREAKS.split(str(value))))
    if not text:
        return ""
    if table:
        text = text.replace("|", "\\|")  # GFM splits cells before it sees code spans
    fence = _backtick_fence(text, 1)
    pad = " " if text[:1] == "`" or text[-1:] == "`" or (text.startswith(" ") and text.endswith(" ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_fence(value: object, lang: str = "") -> str:
    """A fenced block longer than any backtick run inside, so device output cannot close it;
    control characters (a terminal escape in `git diff` of the committed report) are replaced."""
    text = _CONTROLS.sub(REPLACEMENT, str(value))
    fence = _backtick_fence(text, 3)
    return f"{fence}{lang}\n{text.rstrip(chr(10))}\n{fence}"


# -- Word ---------------------------------------------------------------------------------------
DOCX_MAX_TEXT = 20000  # one paragraph or cell; a device's megabyte line would only make Word crawl


def docx_text(value: object) -> str:
    """The text a Word run holds for `value`: what XML 1.0 cannot hold (lxml refuses it, so
    python-docx would raise) and bidi overrides replaced, CR/CRLF made LF (python-docx turns LF
    into a line break), and no more than DOCX_MAX_TEXT characters."""
    text = clean_text(value).replace("\r\n", "\n").replace("\r", "\n")
    return text if len(text) <= DOCX_MAX_TEXT else text[:DOCX_MAX_TEXT - 1] + "…"
