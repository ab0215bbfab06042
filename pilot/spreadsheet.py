"""Write workbook cells that hold user text as data, and sheets that print.

Every workbook the portal makes writes its cells through :func:`set_value` (usually via
:class:`SheetWriter`), so that nothing a user typed can become a formula or break the build:

- **Never a formula.** A string is always stored as a string cell (``t="inlineStr"`` in
  write-only sheets, ``t="s"`` otherwise): we set the cell's data type to ``"s"`` after
  openpyxl guessed it, so ``=HYPERLINK(…)`` or ``#N/A`` stay text and no ``<f>`` is written.
  A string that *starts* like a formula (``= + - @`` tab, CR) also gets Excel's own
  ``quotePrefix`` flag — what Excel stores when someone types ``'=1`` — so editing the cell
  in Excel keeps it text. We do not prepend a visible apostrophe (OWASP's CSV advice): these
  are xlsx files, the typed flag is enough, and the office reads and copies the text
  exactly as the reporter wrote it.
- **Never refused.** Characters XML 1.0 (and so Excel and Word) cannot hold are dropped;
  a Word line break (vertical tab) or page break becomes a newline.
- **Never silently cut.** Excel holds at most 32,767 characters (UTF-16 units) in a cell;
  a longer text is cut with a visible marker.
- **Typed values.** Numbers stay numbers, dates real dates, percentages (:class:`Percent`)
  numbers with a ``%`` format, so the office can sort and filter.
"""

import datetime
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

MAX_CELL_CHARS = 32_767
CUT_MARK = "…（已截断，全文见系统）"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 refuses these (openpyxl's ILLEGAL_CHARACTERS_RE plus lone surrogates and the two
# non-characters); \x0b and \x0c are Word's line and page breaks, kept as line breaks.
_BREAKS = re.compile(r"[\x0b\x0c]")
_ILLEGAL = re.compile(r"[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# A font every Chinese Windows and macOS has; Calibri has no CJK glyphs.
FONT_NAME = "宋体"
FONT_SIZE = 11
TITLE_SIZE = 16
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
# Wider than this (in character units), a sheet prints on A3 rather than A4 landscape: A4's
# 277 mm hold about 150 units at 100 %, so up to 180 the text still prints at 83 % or more.
A4_LANDSCAPE_WIDTH = 180
MAX_ROW_HEIGHT = 409  # points: Excel's limit
HEADER_CHARS = 100

_THIN = Side(style="thin")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
BODY_FONT = Font(name=FONT_NAME, size=FONT_SIZE)
BOLD_FONT = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
TITLE_FONT = Font(name=FONT_NAME, size=TITLE_SIZE, bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRED = Alignment(wrap_text=True, horizontal="center", vertical="top")
HEADER_ALIGNMENT = Alignment(wrap_text=True, horizontal="center", vertical="center")
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")


@dataclass(frozen=True)
class Percent:
    """A percentage (0-100, or None for "not applicable") written as a number with a % format."""

    value: float | None
    decimals: int = 1

    @property
    def number_format(self) -> str:
        return "0." + "0" * self.decimals + "%" if self.decimals else "0%"


def clean_text(value: str) -> str:
    """Return ``value`` with characters Excel refuses removed and cut to a cell's limit."""
    text = _ILLEGAL.sub("", _BREAKS.sub("\n", value))
    if _utf16_length(text) <= MAX_CELL_CHARS:
        return text
    # Excel counts UTF-16 units (an emoji takes two); a split pair is dropped on decoding.
    room = MAX_CELL_CHARS - len(CUT_MARK)
    units = text.encode("utf-16-le")[: room * 2]
    return units.decode("utf-16-le", errors="ignore") + CUT_MARK


def csv_value(value) -> str:
    """Return ``value`` for a CSV file a spreadsheet will open: CSV has no cell types, so
    text that would start a formula gets a leading apostrophe (OWASP's advice for CSV)."""
    text = clean_text(str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def clean_for_word(value) -> str:
    """Return ``value`` as text a .docx can hold: XML-illegal characters dropped, \\n \\t kept."""
    return _ILLEGAL.sub("", _BREAKS.sub("\n", str(value)))


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def set_value(cell, value):
    """Put ``value`` in ``cell`` as data (never a formula) and return the cell."""
    if isinstance(value, Promise):
        value = str(value)
    if value is None or isinstance(value, bool | int | float | Decimal):
        cell.value = value
    elif isinstance(value, Percent):
        _set_percent(cell, value)
    elif isinstance(value, datetime.date):
        _set_date(cell, value)
    else:
        _set_text(cell, str(value))
    return cell


def _set_text(cell, value: str) -> None:
    text = clean_text(value)
    cell.value = text
    cell.data_type = "s"  # openpyxl guesses "f" for "=…" and "e" for "#N/A"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def _set_percent(cell, percent: Percent) -> None:
    if percent.value is None:
        _set_text(cell, "—")
        return
    cell.value = percent.value / 100
    cell.number_format = percent.number_format


def _set_date(cell, value: datetime.date) -> None:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):  # Excel has no time zones: write local time
            value = timezone.localtime(value).replace(tzinfo=None)
        cell.value = value
        cell.number_format = DATE_FORMAT + " hh:mm"
    else:
        cell.value = value
        cell.number_format = DATE_FORMAT


# --- row heights ---------------------------------------------------------------------


def display_width(text: str) -> int:
    """Return the width of ``text`` in character units: CJK and full-width glyphs count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def line_count(value, width: float) -> int:
    """Estimate the lines ``value`` wraps to in a column ``width`` units wide."""
    if value is None or isinstance(value, bool | int | float | Decimal | Percent):
        return 1
    usable = max(width - 1, 1)  # Excel keeps about a character of padding
    text = str(value)[:MAX_CELL_CHARS]
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in text.split("\n"))


def row_height(values, widths, *, size: int = FONT_SIZE) -> float:
    """Estimate the height (points) a row of wrapped cells needs; openpyxl does not autosize."""
    lines = max((line_count(v, w) for v, w in zip(values, widths, strict=False)), default=1)
    # Excel's line of 11 pt 宋体 is 14.25 pt, but other CJK faces (LibreOffice's Noto, 等线)
    # need about 1.45 em: size for the taller, so that no last line is cut off.
    return min(round(lines * size * 1.45 + 4, 1), MAX_ROW_HEIGHT)


# --- sheets --------------------------------------------------------------------------


def set_up_sheet(sheet, widths, *, header_row: int | None, page_title: str = "") -> None:
    """Set column widths, landscape paper (A4, or A3 when wide), margins, header and footer.

    With ``header_row``, that row repeats on every printed page and the panes freeze below it.
    Call before writing the first row: write-only sheets write widths and panes first.
    """
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    setup = sheet.page_setup
    setup.orientation = "landscape"
    wide = sum(widths) > A4_LANDSCAPE_WIDTH
    setup.paperSize = Worksheet.PAPERSIZE_A3 if wide else Worksheet.PAPERSIZE_A4
    # Fit every column on the page width; as many pages down as the rows need.
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.8  # room for header and footer
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    if page_title:  # Excel refuses a header over 255 characters; & starts a field code
        text = clean_text(page_title)[:HEADER_CHARS].replace("\n", " ")
        sheet.HeaderFooter.oddHeader.center.text = text.replace("&", "&&")
    sheet.HeaderFooter.oddFooter.center.text = _("第 &P 页，共 &N 页")
    if header_row:
        sheet.print_title_rows = f"{header_row}:{header_row}"
        sheet.freeze_panes = f"A{header_row + 1}"


class SheetWriter:
    """Append rows to a new sheet (write-only or not) as safe, styled cells with heights."""

    def __init__(self, sheet, widths):
        self.sheet = sheet
        self.widths = tuple(widths)
        self.rows = 0
        self.header_at: int | None = None

    def title(self, text: str) -> int:
        item = set_value(WriteOnlyCell(self.sheet), text)
        item.font = TITLE_FONT
        return self._append([item], height=TITLE_SIZE * 1.6)

    def note(self, text: str, *, bold: bool = False) -> int:
        """Write a line of text outside any table (a date line, a section's caption)."""
        item = set_value(WriteOnlyCell(self.sheet), text)
        item.font = BOLD_FONT if bold else BODY_FONT
        return self._append([item])

    def blank(self) -> int:
        return self._append([])

    def header(self, values) -> int:
        cells = [self._cell(value, HEADER_ALIGNMENT, BOLD_FONT) for value in values]
        for item in cells:
            item.fill = HEADER_FILL
        self.header_at = self._append(cells, height=row_height(values, self.widths))
        return self.header_at

    def row(self, values) -> int:
        cells = [self._cell(v, CENTRED if _is_figure(v) else WRAP, BODY_FONT) for v in values]
        return self._append(cells, height=row_height(values, self.widths))

    def filter_table(self) -> None:
        """Put an autofilter on the last header row and the rows written below it."""
        if self.header_at is None:
            return
        last = get_column_letter(len(self.widths))
        self.sheet.auto_filter.ref = f"A{self.header_at}:{last}{max(self.rows, self.header_at)}"

    def _cell(self, value, alignment, font):
        item = set_value(WriteOnlyCell(self.sheet), value)
        item.border = BORDER
        item.alignment = alignment
        item.font = font
        return item

    def _append(self, cells, *, height: float | None = None) -> int:
        self.rows += 1
        if height is not None:
            self.sheet.row_dimensions[self.rows].height = height
        self.sheet.append(cells)
        return self.rows


def _is_figure(value) -> bool:
    return isinstance(value, int | float | Decimal | Percent | datetime.date) and not isinstance(
        value, bool
    )
