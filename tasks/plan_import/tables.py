"""Write a responsibility table as .docx or .xlsx: the office's blank template, the
second plan's fixture files and the tests' copies of the first programme's appendix.

The reverse of ``readers``: whatever these write, the readers read back.
"""

import io

from pilot.spreadsheet import set_value

DOCX_HEADER = ("试点任务", "序号", "具体举措", "责任分工")
XLSX_HEADER = ("序号", "试点任务", "具体举措", "责任分工", "牵头单位", "配合单位", "完成时限")


def table_docx(title: str, rows: list[tuple[str, str, str, str]]) -> bytes:
    """A Word document with ``title`` and one table: 试点任务, 序号, 具体举措, 责任分工.

    Rows of one category share one vertically merged 试点任务 cell, as in the original.
    """
    import docx

    document = docx.Document()
    document.add_paragraph(title)
    table = document.add_table(rows=1, cols=4)
    for cell, text in zip(table.rows[0].cells, DOCX_HEADER, strict=True):
        cell.text = text
    first_of_category = None
    for category, number, measure, responsibility in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells[1:], (number, measure, responsibility), strict=True):
            cell.text = text
        if category:
            cells[0].text = category
            first_of_category = cells[0]
        elif first_of_category is not None:
            first_of_category = first_of_category.merge(cells[0])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def table_xlsx(rows: list[tuple], header: tuple[str, ...] = XLSX_HEADER) -> bytes:
    """A workbook with one sheet: ``header`` then one row per task, every cell text-safe."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "责任分工表"
    for row_number, values in enumerate([header, *rows], start=1):
        for column, value in enumerate(values, start=1):
            set_value(sheet.cell(row=row_number, column=column), value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
