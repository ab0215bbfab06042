"""The layout of a Chinese official document (党政机关公文格式, GB/T 9704-2012) in python-docx.

Everything goes through styles, so that a builder's plain ``add_heading(text, level=1)`` and
``add_paragraph(text)`` come out right: the title (``Title``, what ``level=0`` uses), the
一、 and （一） headings (``Heading 1`` / ``Heading 2``) and the body (``Normal``).

The page: A4, margins 37 / 35 / 28 / 26 mm (top, bottom, left, right), which leaves a
156 × 225 mm type area for 28 characters × 22 lines of 3号 (16 pt) text. Fonts are named
as the standard names them, with the font every Chinese Windows has as the alternative
(``w:altName`` in the font table): 方正小标宋简体 → 宋体, 仿宋_GB2312 → 仿宋,
楷体_GB2312 → 楷体. East Asian font names are set explicitly (``w:eastAsia``); theme fonts
are removed, because they resolve through the template's theme (a Japanese one here).
"""

import datetime
from itertools import pairwise

from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor
from lxml import etree

from pilot import spreadsheet

# Page and type area (GB/T 9704-2012, 5.2).
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
CHARS_PER_LINE, LINES_PER_PAGE = 28, 22
# 225 mm / 22 lines = 28.95 pt, the "fixed 28.95 pt" every 公文 template uses.
LINE_PITCH = Pt(28.95)
# 28 characters of 16 pt are 158 mm, 2 mm more than the 156 mm line: each character
# gives up 0.25 pt (15.75 pt × 28 = 155.6 mm), which is what Word's character grid does.
CHARACTER_SPACING_TWIPS = -5

# Fonts (GB/T 9704-2012, 5.1 and 7.3), each with the font a plain Chinese Windows has.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING2_FONT: "楷体"}
CHINESE_FONTS = (TITLE_FONT, BODY_FONT, HEADING1_FONT, HEADING2_FONT, "宋体", "仿宋", "楷体")

# Sizes: 2号 22 pt, 3号 16 pt, 4号 14 pt, 小四 12 pt.
TITLE_SIZE, BODY_SIZE, SMALL_SIZE, TABLE_SIZE = 22, 16, 14, 12
# Characters are 16 pt; 2 characters of first-line indent (GB/T 9704, 7.3.3).
INDENT = Pt(2 * BODY_SIZE)

# Elements that follow w:spacing, w:pBdr and w:tblCellMar in their parents (ECMA-376 order).
_RPR_AFTER_SPACING = (
    "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
    "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
    "w:eastAsianLayout", "w:specVanish", "w:oMath",
)  # fmt: skip
_PPR_AFTER_BORDERS = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip
_EXTENDED = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


def chinese_date(day: datetime.date) -> str:
    """Return ``day`` as a 公文 writes it: 2022年6月15日 (Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def clean(value) -> str:
    """Return ``value`` as text Word can hold: user text may carry control characters
    (the one rule of ``pilot.spreadsheet.clean_for_word``: Word line breaks become newlines)."""
    return spreadsheet.clean_for_word(value)


def text_width(document=None):
    """Return the type-area width (the page width less the left and right margins)."""
    if document is None:
        return Emu(PAGE_WIDTH - MARGINS["left"] - MARGINS["right"])
    section = document.sections[-1]
    return Emu(section.page_width - section.left_margin - section.right_margin)


# --- the page --------------------------------------------------------------------------


def set_up_page(document, *, landscape: bool = False) -> None:
    """Give every section A4, the 公文 margins and the 22-line grid."""
    for section in document.sections:
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.orientation = WD_ORIENT.PORTRAIT
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = PAGE_HEIGHT, PAGE_WIDTH
        for side, value in MARGINS.items():
            setattr(section, f"{side}_margin", value)
        # The page number's dash sits 7 mm below the type area (GB/T 9704, 7.5).
        section.footer_distance = Mm(22)
        section.header_distance = Mm(15)
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        # The pitch only: a "lines" grid would round table rows up to 28.95 pt as well.
        grid.attrib.pop(qn("w:type"), None)
        grid.set(qn("w:linePitch"), str(int(LINE_PITCH.pt * 20)))


def add_page_numbers(document) -> None:
    """Put "— 1 —" (a PAGE field, 4号 宋体) in the footer: right on odd pages, left on even."""
    document.settings.odd_and_even_pages_header_footer = True
    for section in document.sections:
        _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
        _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(footer, alignment) -> None:
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0].clear()
    paragraph.alignment = alignment
    layout = paragraph.paragraph_format
    layout.first_line_indent = Pt(0)
    layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
    # "一字线" dashes each side, the number one character in from the outside edge.
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        layout.right_indent = Pt(SMALL_SIZE)
    else:
        layout.left_indent = Pt(SMALL_SIZE)
    _footer_run(paragraph, "— ")
    _field(paragraph, "PAGE")
    _footer_run(paragraph, " —")


def _footer_run(paragraph, text: str):
    run = paragraph.add_run(text)
    set_run_font(run, PAGE_NUMBER_FONT, SMALL_SIZE, latin=PAGE_NUMBER_FONT)
    return run


def _field(paragraph, instruction: str) -> None:
    """Add a complete field (begin, instruction, separator, "1", end) to ``paragraph``."""
    parts = [("w:fldChar", "begin"), ("w:instrText", instruction), ("w:fldChar", "separate")]
    parts += [("w:t", "1"), ("w:fldChar", "end")]
    for tag, value in parts:
        run = _footer_run(paragraph, "")
        element = OxmlElement(tag)
        if tag == "w:fldChar":
            element.set(qn("w:fldCharType"), value)
        else:
            element.set(qn("xml:space"), "preserve")
            element.text = f" {value} " if tag == "w:instrText" else value
        run._r.append(element)


# --- styles ----------------------------------------------------------------------------


def set_up_styles(document) -> None:
    """Restyle Normal, Title and the headings as GB/T 9704 wants them; drop theme fonts."""
    styles = document.styles
    _strip_theme_fonts(styles.element)
    _set_defaults(styles.element)
    _set_style(styles["Normal"], BODY_FONT, BODY_SIZE)
    body = styles["Normal"].paragraph_format
    body.line_spacing_rule, body.line_spacing = WD_LINE_SPACING.EXACTLY, LINE_PITCH
    body.space_before = body.space_after = Pt(0)
    body.first_line_indent = INDENT
    body.widow_control = True
    _set_title_style(styles["Title"])
    for name, font in (
        ("Heading 1", HEADING1_FONT),
        ("Heading 2", HEADING2_FONT),
        ("Heading 3", BODY_FONT),
    ):
        _set_heading_style(styles[name], font)
    _set_style(styles["Footer"], PAGE_NUMBER_FONT, SMALL_SIZE)
    _set_language(document)
    _declare_fonts(document)


def _set_style(style, east_asian: str, size: float | None, *, latin: str = LATIN_FONT) -> None:
    font = style.font
    font.name = latin
    if size:
        font.size = Pt(size)
    font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    for complex_size in rpr.findall(qn("w:szCs")) if size else ():
        complex_size.set(qn("w:val"), str(int(size * 2)))
    _set_fonts(rpr.get_or_add_rFonts(), east_asian, latin)
    _set_spacing(rpr, CHARACTER_SPACING_TWIPS)
    _set_lang(rpr)


def set_style_font(style, east_asian: str, size: float | None) -> None:
    """Set ``style``'s East Asian font (Latin text in Times New Roman) and size."""
    _set_style(style, east_asian, size)


def set_company(document, office: str) -> None:
    """Name ``office`` as the company in the extended properties (docProps/app.xml)."""
    part = next(
        (p for p in document.part.package.iter_parts() if p.partname == "/docProps/app.xml"),
        None,
    )
    if part is None:
        return
    root = etree.fromstring(part.blob)
    company = root.find(f"{{{_EXTENDED}}}Company")
    if company is None:
        company = etree.SubElement(root, f"{{{_EXTENDED}}}Company")
    company.text = clean(office)
    application = root.find(f"{{{_EXTENDED}}}Application")
    if application is not None:
        application.text = "试点任务管理平台"
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _set_title_style(style) -> None:
    _set_style(style, TITLE_FONT, TITLE_SIZE)
    style.font.bold = False
    rpr = style.element.get_or_add_rPr()
    for tag in ("w:kern",):
        for element in rpr.findall(qn(tag)):
            rpr.remove(element)
    ppr = style.element.get_or_add_pPr()
    for tag in ("w:pBdr", "w:contextualSpacing"):
        for element in ppr.findall(qn(tag)):
            ppr.remove(element)
    layout = style.paragraph_format
    layout.alignment = WD_ALIGN_PARAGRAPH.CENTER
    layout.first_line_indent = Pt(0)
    # Two-line titles stay readable at 22 pt; one blank body line follows the title.
    layout.line_spacing_rule, layout.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(35)
    layout.space_before, layout.space_after = Pt(0), LINE_PITCH
    layout.keep_with_next = True


def _set_heading_style(style, font: str) -> None:
    _set_style(style, font, BODY_SIZE)
    style.font.bold = False
    style.font.italic = False
    rpr = style.element.get_or_add_rPr()
    for element in rpr.findall(qn("w:bCs")):
        rpr.remove(element)
    layout = style.paragraph_format
    layout.line_spacing_rule, layout.line_spacing = WD_LINE_SPACING.EXACTLY, LINE_PITCH
    layout.space_before = layout.space_after = Pt(0)
    layout.first_line_indent = INDENT
    layout.keep_with_next = True


def _set_defaults(styles_element) -> None:
    rpr = styles_element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    _set_fonts(rpr.find(qn("w:rFonts")), BODY_FONT, LATIN_FONT)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), str(BODY_SIZE * 2))
    _set_lang(rpr)
    ppr = styles_element.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}")
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")


def _strip_theme_fonts(root) -> None:
    themed = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
    for fonts in root.iter(qn("w:rFonts")):
        for attribute in themed:
            fonts.attrib.pop(qn(attribute), None)


def _set_fonts(fonts, east_asian: str, latin: str) -> None:
    _strip_theme_fonts(fonts)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")


def _set_spacing(rpr, twips: int) -> None:
    child_element(rpr, "w:spacing", _RPR_AFTER_SPACING).set(qn("w:val"), str(twips))


def _set_lang(rpr) -> None:
    lang = child_element(rpr, "w:lang", ("w:eastAsianLayout", "w:specVanish", "w:oMath"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")


def child_element(parent, tag: str, successors):
    """Return ``parent``'s ``tag`` child, inserted where the schema orders it if missing."""
    child = parent.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        parent.insert_element_before(child, *successors)
    return child


def _set_language(document) -> None:
    settings = document.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def _declare_fonts(document) -> None:
    """List the Chinese fonts in the font table, each with its fallback as ``w:altName``."""
    part = next(
        rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.FONT_TABLE
    )
    root = etree.fromstring(part.blob)
    for name in CHINESE_FONTS:
        for old in root.findall(f"{qn('w:font')}[@{qn('w:name')}='{name}']"):
            root.remove(old)
        font = etree.SubElement(root, qn("w:font"), {qn("w:name"): name})
        if name in FALLBACKS:
            etree.SubElement(font, qn("w:altName"), {qn("w:val"): FALLBACKS[name]})
        etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})
        etree.SubElement(font, qn("w:family"), {qn("w:val"): "modern"})
        etree.SubElement(font, qn("w:pitch"), {qn("w:val"): "fixed"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- runs and paragraphs ---------------------------------------------------------------


def set_run_font(run, east_asian: str, size: float | None, *, latin: str = LATIN_FONT) -> None:
    """Name the run's fonts explicitly (Latin and East Asian slots) and its size."""
    run.font.name = latin
    if size:
        run.font.size = Pt(size)
    _set_fonts(run._r.get_or_add_rPr().get_or_add_rFonts(), east_asian, latin)


def stamp_run_fonts(document) -> None:
    """Write each run's East Asian font as its paragraph style has it, on the run itself.

    Builders add text with plain python-docx calls; this makes those runs as explicit as the
    ones the helpers add, so that text pasted elsewhere keeps its font.
    """
    fonts = {}
    for paragraph in _all_paragraphs(document):
        style = paragraph.style
        if style.style_id not in fonts:
            fonts[style.style_id] = _style_east_asian_font(style)
        for run in paragraph.runs:
            rfonts = run._r.get_or_add_rPr().get_or_add_rFonts()
            if rfonts.get(qn("w:eastAsia")) is None:
                _set_fonts(rfonts, fonts[style.style_id], rfonts.get(qn("w:ascii")) or LATIN_FONT)


def balance_titles(document) -> None:
    """Break a title longer than a line into lines of even length (GB/T 9704, 7.2.4).

    Builders write titles as one string; left to itself Word leaves a character or two
    alone on the last line. Breaks fall between characters, never inside a number or a
    word, and never before a closing mark. Titles that already carry breaks are kept.
    """
    per_line = int(text_width(document).pt // (TITLE_SIZE + CHARACTER_SPACING_TWIPS / 20))
    for paragraph in document.paragraphs:
        if paragraph.style.name != "Title" or len(paragraph.runs) != 1:
            continue
        run = paragraph.runs[0]
        text = run.text
        if "\n" in text or width_in_characters(text) <= per_line:
            continue
        lines = _balanced_lines(text, per_line)
        run.text = lines[0]
        for line in lines[1:]:
            run.add_break()
            run._r.append(_text_element(line))


def _text_element(text: str):
    element = OxmlElement("w:t")
    element.set(qn("xml:space"), "preserve")
    element.text = text
    return element


def _balanced_lines(text: str, per_line: int) -> list[str]:
    count = -(-int(width_in_characters(text) * 2) // (per_line * 2))
    target = width_in_characters(text) / count
    lines, start = [], 0
    for _ in range(count - 1):
        candidates = []
        for end in range(start + 1, len(text)):
            width = width_in_characters(text[start:end])
            if width > per_line:
                break
            if _can_break(text, end):
                candidates.append((abs(width - target) - _break_bonus(text, end), end))
        if not candidates:
            break
        best = min(candidates)[1]
        lines.append(text[start:best])
        start = best
    lines.append(text[start:])
    return lines


# Words after which a 公文 title may break (without a word segmenter, breaks elsewhere
# would split words such as 实施 or 发展); a break before a bracket or a quote is good too.
PHRASE_ENDS = (
    "年", "月", "日", "期", "的", "省", "市", "县", "关于", "方案", "试点", "发展",
    "贸易", "服务", "深化", "全面", "开放", "工作", "进展", "情况", "任务", "总结", "月报",
    "报告", "通知", "通报", "意见", "办法",
)  # fmt: skip


def _break_bonus(text: str, index: int) -> float:
    """A break where a phrase ends wins over an evener one inside a word."""
    good = text[:index].endswith(PHRASE_ENDS) or text[index] in "（《“ "
    return 6.0 if good else 0.0


def _can_break(text: str, index: int) -> bool:
    before, after = text[index - 1], text[index]
    if _is_latin(before) and _is_latin(after):
        return False
    return after not in "、，。；：！？）》”’" and before not in "（《“‘"


def _style_east_asian_font(style) -> str:
    while style is not None:
        rpr = style.element.rPr
        fonts = rpr.rFonts if rpr is not None else None
        if fonts is not None and fonts.get(qn("w:eastAsia")):
            return fonts.get(qn("w:eastAsia"))
        style = style.base_style
    return BODY_FONT


def _all_paragraphs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def plain_paragraph(document, text: str = "", *, alignment=None, size: float | None = None):
    """Add an unindented body paragraph (for signatures, tables and the 版记)."""
    paragraph = document.add_paragraph()
    layout = paragraph.paragraph_format
    layout.first_line_indent = Pt(0)
    if alignment is not None:
        paragraph.alignment = alignment
    if text:
        set_run_font(paragraph.add_run(clean(text)), BODY_FONT, size)
    return paragraph


def add_signature(document, office: str, day: datetime.date | None) -> None:
    """Add the 落款 and 成文日期 (GB/T 9704, 7.3.5.2: no seal).

    The date stands right with 4 characters of right indent; the office name is centred
    over the date (flush right when it is the longer of the two).
    """
    # A blank line, the office and the date stay on one page (never a date alone).
    document.add_paragraph().paragraph_format.keep_with_next = True
    office_paragraph = plain_paragraph(document, office, alignment=WD_ALIGN_PARAGRAPH.RIGHT)
    office_paragraph.paragraph_format.keep_with_next = True
    if day is None:
        return
    date_text = chinese_date(day)
    date_paragraph = plain_paragraph(document, date_text, alignment=WD_ALIGN_PARAGRAPH.RIGHT)
    date_paragraph.paragraph_format.right_indent = Pt(4 * BODY_SIZE)
    centre = 4 + width_in_characters(date_text) / 2
    office_indent = max(0.0, centre - width_in_characters(office) / 2)
    office_paragraph.paragraph_format.right_indent = Pt(office_indent * BODY_SIZE)


def width_in_characters(text: str) -> float:
    """Return the width of ``text`` in Chinese characters (ems).

    Latin letters and digits are half as wide; Word and LibreOffice add a quarter of a
    character between Chinese text and Latin letters or digits (autoSpaceDE / DN).
    """
    width = sum(0.5 if ord(char) < 0x2E80 else 1 for char in text)
    kinds = [_is_latin(char) for char in text if _is_latin(char) or ord(char) >= 0x2E80]
    return width + 0.25 * sum(a != b for a, b in pairwise(kinds))


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def add_issuance_block(
    document, *, office: str, day: datetime.date, copy_to: list[str] | None = None
) -> None:
    """Add the 版记 at the end: 抄送 (if any) and 印发机关 / 印发日期, between rules.

    4号 仿宋, one character in from each side; the first and last rules are thick
    (0.35 mm), the one between 抄送 and 印发 thin (0.25 mm) (GB/T 9704, 7.4).
    """
    document.add_paragraph()
    rows = []
    if copy_to:
        rows.append(plain_paragraph(document, f"抄送：{'，'.join(map(clean, copy_to))}。"))
    printed = plain_paragraph(document)
    set_run_font(printed.add_run(clean(office)), BODY_FONT, SMALL_SIZE)
    set_run_font(printed.add_run(f"\t{chinese_date(day)}印发"), BODY_FONT, SMALL_SIZE)
    printed.paragraph_format.tab_stops.add_tab_stop(
        text_width(document) - Pt(2 * SMALL_SIZE), WD_TAB_ALIGNMENT.RIGHT
    )
    rows.append(printed)
    for paragraph in rows:
        layout = paragraph.paragraph_format
        layout.left_indent = layout.right_indent = Pt(SMALL_SIZE)
        layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
        layout.space_before = layout.space_after = Pt(4)
        layout.keep_with_next = True
        for run in paragraph.runs:
            run.font.size = Pt(SMALL_SIZE)
    _border(rows[0], "top", 8)
    for upper in rows[:-1]:
        _border(upper, "bottom", 4)
    _border(rows[-1], "bottom", 8)


def _border(paragraph, side: str, eighths_of_a_point: int) -> None:
    borders = child_element(paragraph._p.get_or_add_pPr(), "w:pBdr", _PPR_AFTER_BORDERS)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(eighths_of_a_point))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), "000000")
    # Inside w:pBdr the order is top, left, bottom, right.
    if side == "top":
        borders.insert(0, line)
    else:
        borders.append(line)
