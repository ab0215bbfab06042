"""Read an uploaded responsibility table into ``SourceRow``s, or refuse it with a reason.

Word and Excel files are zip archives: their members' sizes and compression ratios are
checked before either library opens them, so a zip bomb is refused unread. Every refusal
is an ``ImportRefused`` carrying a message for the office; nothing is stored by this
module.
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath

from django.utils.translation import gettext as _

from tasks.plan_parser import HEADER, SourceRow, read_text_rows

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 2000
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024
MAX_ZIP_MEMBERS = 1000
# Office XML compresses well, but not beyond this for any member worth the name.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_FROM_BYTES = 1024 * 1024

SUFFIXES = (".docx", ".xlsx", ".csv", ".txt")

# Header cells, by the column they name (first match wins).
COLUMNS = {
    "category": ("试点任务", "任务类别", "类别", "分类", "重点任务"),
    "number": ("序号", "编号"),
    "measure": ("具体举措", "举措", "任务内容", "工作任务", "具体任务"),
    "responsibility": ("责任分工", "责任单位"),
    "leads": ("牵头单位",),
    "supports": ("配合单位",),
    "due": ("完成时限", "完成期限", "完成时间"),
}


class ImportRefused(ValueError):
    """The file cannot be imported; ``str(error)`` tells the office why."""


@dataclass(frozen=True)
class ReadTable:
    kind: str
    rows: list[SourceRow]
    columns: tuple[str, ...]


def read_upload(name: str, data: bytes) -> ReadTable:
    """Read the file named ``name`` holding ``data``; raise ``ImportRefused`` if unusable."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportRefused(_("只能导入 .docx、.xlsx、.csv 或 .txt 文件。"))
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(_("文件超过 10 MB，无法导入。"))
    if not data:
        raise ImportRefused(_("文件是空的。"))
    reader = {".docx": _read_docx, ".xlsx": _read_xlsx, ".csv": _read_csv, ".txt": _read_txt}
    table = reader[suffix](data)
    if not any(row.number.strip() for row in table.rows):
        raise ImportRefused(_("表中没有任务行（“序号”列为空）。"))
    return table


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Open ``data`` as a zip, refusing archives that would unpack too large."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportRefused(_("文件已损坏，或不是 Word / Excel 文件。")) from None
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportRefused(_("文件内部条目过多，疑似异常文件，已拒绝。"))
    if sum(member.file_size for member in members) > MAX_UNZIPPED_BYTES:
        raise ImportRefused(_("文件解压后过大（疑似压缩炸弹），已拒绝。"))
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECK_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise ImportRefused(_("文件压缩比异常（疑似压缩炸弹），已拒绝。"))
    return archive


def _refuse_too_many(count: int) -> None:
    if count > MAX_ROWS + 1:
        raise ImportRefused(
            _("表格超过 %(max)s 行，无法导入；请确认是否为责任分工表。") % {"max": MAX_ROWS}
        )


# --- plain text and CSV --------------------------------------------------------------


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            _("%(what)s 文件不是 UTF-8 编码。请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再上传。")
            % {"what": what}
        ) from None


def _read_txt(data: bytes) -> ReadTable:
    text = _decode(data, "TXT")
    _refuse_too_many(text.count("\n") // 2)
    try:
        rows = read_text_rows(text)
    except ValueError:
        raise ImportRefused(
            _("文本中没有找到表头“%(header)s”（以制表符分隔）。")
            % {"header": HEADER.replace("\t", " ")}
        ) from None
    _refuse_too_many(len(rows))
    return ReadTable("txt", rows, ("category", "number", "measure", "responsibility"))


def _read_csv(data: bytes) -> ReadTable:
    text = _decode(data, "CSV")
    if "\x00" in text:
        raise ImportRefused(_("CSV 文件含有空字符，可能不是文本文件。"))
    try:
        grid = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise ImportRefused(_("CSV 文件格式有误：%(error)s") % {"error": error}) from None
    _refuse_too_many(len(grid))
    return _table_from_grid("csv", grid)


# --- the grid shared by CSV, Excel and Word ------------------------------------------


def _table_from_grid(kind: str, grid: list[list[str]], merged_rows=frozenset()) -> ReadTable:
    """Find the header row, map its columns and turn the rows below into ``SourceRow``s.

    A row whose only text is one merged cell across the table (``merged_rows``) or in the
    category column is a category heading.
    """
    start, columns = _find_header(grid)
    rows = []
    for index in range(start + 1, len(grid)):
        cells = [cell.strip() for cell in grid[index]]
        if _is_header(cells, columns) or not any(cells):
            continue
        if index in merged_rows:
            rows.append(SourceRow(index + 1, cells[0], "", "", ""))
            continue
        values = {key: _cell(cells, column) for key, column in columns.items()}
        rows.append(SourceRow(index + 1, **{k: values.get(k, "") for k in COLUMNS}))
    return ReadTable(kind, rows, tuple(columns))


def _find_header(grid: list[list[str]]) -> tuple[int, dict[str, int]]:
    for index, cells in enumerate(grid[:20]):
        columns = _columns(cells)
        if (
            "number" in columns
            and "measure" in columns
            and ("responsibility" in columns or "leads" in columns)
        ):
            return index, columns
    raise ImportRefused(
        _("没有找到责任分工表：表头须包含“序号”“具体举措”和“责任分工”（或“牵头单位”）列。")
    )


def _columns(cells: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for position, cell in enumerate(cells):
        text = "".join(str(cell).split())
        for key, names in COLUMNS.items():
            if key not in columns and text in names:
                columns[key] = position
    return columns


def _is_header(cells: list[str], columns: dict[str, int]) -> bool:
    return _columns(cells) == columns


def _cell(cells: list[str], column: int) -> str:
    return cells[column] if column < len(cells) else ""


# --- Excel ---------------------------------------------------------------------------


def _read_xlsx(data: bytes) -> ReadTable:
    import openpyxl

    check_zip(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # openpyxl raises many kinds on a bad file
        raise ImportRefused(_("无法读取 Excel 文件，请确认是 .xlsx 格式且未加密。")) from None
    sheet = book.worksheets[0]
    _refuse_too_many(sheet.max_row)
    grid = [[_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    start, columns = _find_header(grid)
    merged_rows = _xlsx_merges(sheet, columns, start, grid)
    return _table_from_grid("xlsx", grid, merged_rows)


def _xlsx_merges(sheet, columns: dict[str, int], start: int, grid) -> frozenset[int]:
    """Fill merged category cells down; refuse other cells merged across rows.

    Return the rows that are one cell merged across the table (category headings).
    """
    category = columns.get("category")
    headings = set()
    for merged in sheet.merged_cells.ranges:
        top, bottom = merged.min_row - 1, merged.max_row - 1
        left, right = merged.min_col - 1, merged.max_col - 1
        if bottom <= start:
            continue
        if top == bottom and right - left + 1 >= len(columns):
            headings.add(top)
        elif top != bottom and left == right == category:
            for row in range(top + 1, bottom + 1):
                grid[row][category] = grid[top][category]
        elif top != bottom:
            raise ImportRefused(_merged_message(bottom + 1))
    return frozenset(headings)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- Word ----------------------------------------------------------------------------


def _read_docx(data: bytes) -> ReadTable:
    import docx

    archive = check_zip(data)
    if "word/document.xml" not in archive.namelist():
        raise ImportRefused(_("文件不是 Word 文档（.docx）。"))
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds on a bad file
        raise ImportRefused(_("无法读取 Word 文件，请确认是 .docx 格式且未加密。")) from None
    grid: list[list[str]] = []
    merged_rows: set[int] = set()
    vertical: list[list[bool]] = []
    for table in document.tables:
        _refuse_too_many(len(grid) + len(table.rows))
        for row in table.rows:
            cells, continued, spans_all = _docx_row(row, grid[-1] if grid else None)
            if spans_all:
                merged_rows.add(len(grid))
            grid.append(cells)
            vertical.append(continued)
    if not grid:
        raise ImportRefused(_("Word 文件中没有表格；请上传含“试点任务责任分工表”的文件。"))
    start, columns = _find_header(grid)
    _refuse_docx_merges(vertical, columns, start)
    return _table_from_grid("docx", grid, frozenset(merged_rows))


def _docx_row(row, above: list[str] | None) -> tuple[list[str], list[bool], bool]:
    """Return the row's cell texts by grid column, which columns continue a vertical merge,
    and whether the row is a single cell spanning the table."""
    cells: list[str] = []
    continued: list[bool] = []
    tcs = row._tr.tc_lst
    for tc in tcs:
        span = tc.grid_span
        is_continued = tc.vMerge == "continue"
        position = len(cells)
        text = "".join(p.text for p in _paragraphs(tc)).strip()
        if is_continued and above is not None and position < len(above):
            text = above[position]
        cells.extend([text] + [""] * (span - 1))
        continued.extend([is_continued] * span)
    return cells, continued, len(tcs) == 1 and tcs[0].grid_span > 1


def _paragraphs(tc):
    from docx.text.paragraph import Paragraph

    return [Paragraph(p, None) for p in tc.p_lst]


def _refuse_docx_merges(vertical: list[list[bool]], columns: dict[str, int], start: int) -> None:
    category = columns.get("category")
    for index in range(start + 1, len(vertical)):
        for position, continued in enumerate(vertical[index]):
            if continued and position != category:
                raise ImportRefused(_merged_message(index + 1))


def _merged_message(row: int) -> str:
    return _(
        "第 %(row)s 行的单元格与上一行合并。除“试点任务”列外，每个任务须单独占一行，"
        "请拆分合并单元格后再上传。"
    ) % {"row": row}
