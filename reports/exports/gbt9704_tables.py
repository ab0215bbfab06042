"""Tables in 公文 layout: columns that fit their content, a header row repeated on each page.

Text is 仿宋 (the header row 黑体), unindented and single-spaced; see ``reports.exports
.gbt9704`` for the page and the styles.
"""

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from reports.exports.gbt9704 import (
    BODY_FONT,
    HEADING1_FONT,
    TABLE_SIZE,
    child_element,
    clean,
    set_run_font,
    text_width,
    width_in_characters,
)

# Elements that follow w:tblCellMar in w:tblPr (ECMA-376 order).
_TBLPR_AFTER_CELL_MARGINS = ("w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")


def column_widths(
    headers, rows, widths=None, *, size: float = TABLE_SIZE, room: int | None = None
) -> list[int]:
    """Return column widths (EMU) that fill the type area.

    ``widths`` are relative weights when given. Otherwise room is handed out in rounds:
    first every column gets its header on two lines (and up to four characters of its
    cells), then each column's longest cell on one line, then each header on one line,
    then what is left in proportion. In a round short of room, the widest wishes wait.
    """
    room = room or text_width()
    if widths is not None:
        return [int(room * weight / sum(widths)) for weight in widths]
    half_headers, whole_headers, longest = [], [], []
    for index, header in enumerate(headers):
        chars = width_in_characters(clean(header))
        half_headers.append(max(-(-chars // 2), min(chars, 2)))
        whole_headers.append(chars)
        longest.append(max((width_in_characters(clean(row[index])) for row in rows), default=1))
    padding = Pt(8)
    base = [max(h, min(c, 4)) for h, c in zip(half_headers, longest, strict=True)]
    result = [Pt(chars * size) + padding for chars in base]
    for target in (
        [max(c, h) for c, h in zip(longest, half_headers, strict=True)],
        [max(c, h) for c, h in zip(longest, whole_headers, strict=True)],
    ):
        wants = [
            max(0, Pt(chars * size) + padding - w) for chars, w in zip(target, result, strict=True)
        ]
        result = [
            w + extra for w, extra in zip(result, _pour(wants, room - sum(result)), strict=True)
        ]
    spare = room - sum(result)
    return [int(w + spare * w / sum(result)) for w in result]


def _pour(wants: list[float], room: float) -> list[float]:
    """Share ``room`` out: everyone gets their want, or a common cap when room is short."""
    if sum(wants) <= room:
        return list(wants)
    ordered = sorted(wants)
    spent = 0
    for index, want in enumerate(ordered):
        cap = (room - spent) / (len(ordered) - index)
        if want >= cap:
            return [min(w, cap) for w in wants]
        spent += want
    return list(wants)


def lay_out_table(table, widths: list[int]) -> None:
    """Fix the table's column widths, centre it and repeat its header row on every page."""
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # w:tblLayout fixed
    tbl_pr = table._tbl.tblPr
    width = tbl_pr.find(qn("w:tblW"))
    width.set(qn("w:w"), str(sum(widths) // 635))
    width.set(qn("w:type"), "dxa")
    margins = child_element(tbl_pr, "w:tblCellMar", _TBLPR_AFTER_CELL_MARGINS)
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "57")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    for column, value in zip(table.columns, widths, strict=True):
        column.width = value
        for cell in column.cells:
            cell.width = value
    for index, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if index == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))


def short_columns(headers, rows) -> list[bool]:
    """Tell, per column, whether all its cells are short (numbers, states): those centre."""
    return [
        all(width_in_characters(clean(row[index])) <= 6 for row in rows)
        for index in range(len(headers))
    ]


def fill_cell(cell, value, *, header: bool, size: float, centred: bool = True) -> None:
    """Write ``value`` into ``cell``: unindented, single-spaced, 黑体 in the header row."""
    paragraph = cell.paragraphs[0]
    layout = paragraph.paragraph_format
    layout.first_line_indent = Pt(0)
    layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
    layout.space_before = layout.space_after = Pt(2)
    centred = header or centred
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT
    run = paragraph.add_run(clean(value))
    set_run_font(run, HEADING1_FONT if header else BODY_FONT, size)
