"""The Word document's frame: A4 page and margins, styles with CJK fonts, fields (TOC, PAGE),
tables with a repeated header row, and the core properties.

Word reads fonts per script: `w:ascii`/`w:hAnsi` for Latin text and `w:eastAsia` for Chinese, and a
theme font attribute (`w:asciiTheme` ...) overrides the explicit one, so the built-in template's
theme attributes are removed wherever a font is set. Every text written goes through
`inert.docx_text` (device text is hostile: a control character would make python-docx raise).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from netpatrol.report.inert import docx_text

BODY_FONT = ("Times New Roman", "宋体")  # (Latin, East Asian): SimSun
HEADING_FONT = ("Arial", "黑体")  # SimHei
CODE_FONT = ("Consolas", "宋体")
CODE_STYLE = "Code"  # a paragraph style of our own: monospace, small, no spacing
NOTE_STYLE = "Note"  # small grey text under tables and in the TOC hint
HEADER_FILL = "1F4E79"
TEXT_WIDTH_CM = 21.0 - 2 * 2.0  # A4 width minus the left and right margins
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
# Children of w:settings that come after w:updateFields in the schema (Word rejects misordered parts).
_SETTINGS_AFTER_UPDATE = ("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids",
                          "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
                          "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade",
                          "w:captions", "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
                          "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator")
# Children of w:tcPr after w:shd.
_TCPR_AFTER_SHD = ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
                   "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange")


def set_fonts(rpr_owner, fonts: tuple[str, str]) -> None:
    """Latin and East Asian fonts on a style's or run's w:rPr, theme fonts removed."""
    rfonts = rpr_owner.get_or_add_rPr().get_or_add_rFonts()
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    latin, east_asian = fonts
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asian)


def setup(doc: Document, lang: str) -> None:
    """Page, styles and settings of a new document."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.0)
    section.header_distance = section.footer_distance = Cm(1.2)
    styles = doc.styles
    normal = styles["Normal"]
    set_fonts(normal.element, BODY_FONT)
    normal.font.size = Pt(10.5)  # 五号
    normal.paragraph_format.space_after = Pt(4)
    _east_asian_language(doc, lang)
    for name, size in (("Title", 22), ("Subtitle", 14), ("TOC Heading", 16), ("Heading 1", 16), ("Heading 2", 14),
                       ("Heading 3", 12)):
        style = styles[name]
        set_fonts(style.element, HEADING_FONT)
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0x1F, 0x4E, 0x79) if name.startswith("Heading") else RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(12 if name == "Heading 1" else 8)
        style.paragraph_format.space_after = Pt(6)
    for name in ("Title", "Subtitle"):
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _no_border(styles[name].element)
    code = styles.add_style(CODE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    code.base_style = normal
    set_fonts(code.element, CODE_FONT)
    code.font.size = Pt(8)
    code.paragraph_format.space_after = Pt(0)
    code.paragraph_format.space_before = Pt(0)
    note = styles.add_style(NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size = Pt(9)
    note.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    update_fields_on_open(doc)


def _east_asian_language(doc: Document, lang: str) -> None:
    """Proofing and line breaking as Chinese text (the built-in template says Japanese)."""
    styles = doc.styles.element
    rpr_default = styles.find(qn("w:docDefaults"))
    rpr = rpr_default.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}") if rpr_default is not None else None
    if rpr is not None:
        set_fonts(_Owner(rpr), BODY_FONT)
        lang_el = rpr.find(qn("w:lang"))
        if lang_el is None:
            lang_el = OxmlElement("w:lang")
            rpr.append(lang_el)
        lang_el.set(qn("w:val"), "en-US" if lang == "en" else "zh-CN")
        lang_el.set(qn("w:eastAsia"), "zh-CN")
    theme_lang = doc.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


class _Owner:
    """Lets set_fonts work on a bare w:rPr (the document defaults)."""

    def __init__(self, rpr) -> None:
        self._rpr = rpr

    def get_or_add_rPr(self):
        return self._rpr


def _no_border(style_element) -> None:
    """The built-in Title draws a bottom border; the cover does without."""
    ppr = style_element.find(qn("w:pPr"))
    border = ppr.find(qn("w:pBdr")) if ppr is not None else None
    if border is not None:
        ppr.remove(border)


def update_fields_on_open(doc: Document) -> None:
    """`w:updateFields`: Word fills the TOC and page numbers when the file is opened."""
    settings = doc.settings.element
    if settings.find(qn("w:updateFields")) is None:
        element = OxmlElement("w:updateFields")
        element.set(qn("w:val"), "true")
        settings.insert_element_before(element, *_SETTINGS_AFTER_UPDATE)


def add_field(paragraph: Paragraph, instruction: str, placeholder: str = "") -> None:
    """A complex field (begin, instruction, separate, result, end), marked dirty so Word computes
    it; `placeholder` is what shows until it does."""
    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            element.set(qn("w:dirty"), "true")
        paragraph.add_run()._r.append(element)

    char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    char("separate")
    paragraph.add_run(docx_text(placeholder))
    char("end")


def page_frame(doc: Document, header: str, template: str) -> None:
    """A running header (`header`, right-aligned) and a centred footer from a catalogue text with
    {page} and {pages} (PAGE and NUMPAGES fields); the cover page has neither."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    top = section.header.paragraphs[0]
    top.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    top.style = doc.styles[NOTE_STYLE]
    top.add_run(docx_text(header))
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    rest = template
    while rest:
        head, brace, tail = rest.partition("{")
        if head:
            paragraph.add_run(docx_text(head))
        if not brace:
            break
        name, _, rest = tail.partition("}")
        add_field(paragraph, {"page": "PAGE", "pages": "NUMPAGES"}.get(name, "PAGE"), "1")


def table(doc: Document, header: Sequence[str], rows: Sequence[Sequence[object]],
          widths: Sequence[float] | None = None, header_column: bool = False) -> Table:
    """A grid table over the text width, its header row shaded and repeated on every page.
    `widths`: relative column widths; `header_column`: the first column is labels (bold)."""
    tbl = doc.add_table(rows=1 + len(rows), cols=len(header))
    tbl.style = doc.styles["Table Grid"]
    tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl_w = tbl._tbl.tblPr.find(qn("w:tblW"))
    if tbl_w is not None:
        tbl_w.set(qn("w:type"), "pct")
        tbl_w.set(qn("w:w"), "5000")
    weights = list(widths) if widths and len(widths) == len(header) else [1.0] * len(header)
    column_widths = [Cm(TEXT_WIDTH_CM * w / sum(weights)) for w in weights]
    for grid_col, width in zip(tbl._tbl.tblGrid.gridCol_lst, column_widths, strict=True):
        grid_col.w = width
    # Row by row: python-docx's Table.cell() and Column.cells walk the whole table on every call.
    for r, (row, values) in enumerate(zip(tbl.rows, [header, *rows], strict=True)):
        for c, (cell, value, width) in enumerate(zip(row.cells, values, column_widths, strict=True)):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            run = paragraph.add_run(cell_text(value))
            run.font.size = Pt(9)
            if r == 0:
                run.bold = True
                run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
                _shade(cell, HEADER_FILL)
            elif header_column and c == 0:
                run.bold = True
                _shade(cell, "DEEAF6")
            elif isinstance(value, Marked):
                run.bold = True
                run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    header_row = tbl.rows[0]._tr.get_or_add_trPr()
    header_row.append(OxmlElement("w:tblHeader"))  # repeat on every page the table runs onto
    return tbl


class Marked(str):
    """A cell value the report highlights (a measurement a finding is about)."""


def cell_text(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return docx_text(value)


def _shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.insert_element_before(shd, *_TCPR_AFTER_SHD)


def core_properties(doc: Document, title: str, author: str, subject: str, language: str,
                    comments: str, day: str) -> None:
    """Title, author (the maintenance provider) and dates: the report date, not the run's clock."""
    props = doc.core_properties
    props.title = docx_text(title)[:255]
    props.author = props.last_modified_by = docx_text(author)[:255]
    props.subject = docx_text(subject)[:255]
    props.language = language
    props.comments = docx_text(comments)[:255]
    props.keywords = ""
    props.category = ""
    props.revision = 1
    try:
        when = datetime.fromisoformat(day).replace(tzinfo=timezone.utc)
    except ValueError:
        return
    props.created = props.modified = when
