"""Every Word document in 公文 layout (GB/T 9704-2012), read back with python-docx.

The figures are the hand-counted February 2021 of ``pilot/testing/february.py``.
"""

import datetime
import re
from io import BytesIO

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from departments.models import DepartmentContact
from pilot.testing.factories import AssignmentFactory, DepartmentFactory, make_user
from reports import exports
from reports.exports import common
from tasks.models import AssignmentRole

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2021, 3, 10)


@pytest.fixture
def documents(plan, february):
    """The monthly report, the summary and a 催报通知, each as a python-docx Document."""
    built = {
        "monthly": exports.build_monthly_document(programme=plan.programme, period=february),
        "summary": exports.build_summary_document(programme=plan.programme, as_of=TODAY),
        "notice": exports.build_urging_notice(
            programme=plan.programme, period=february, department=plan.finance, today=TODAY
        ),
    }
    return {name: Document(BytesIO(content)) for name, content in built.items()}


def _mm(length) -> float:
    return round(length / Mm(1), 1)


def _east_asian(element) -> str | None:
    fonts = element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def _part_xml(document, partname: str) -> str:
    part = next(p for p in document.part.package.iter_parts() if p.partname == partname)
    return part.blob.decode()


@pytest.mark.parametrize("name", ["monthly", "summary", "notice"])
def test_every_document_is_a4_with_the_standard_margins(documents, name):
    section = documents[name].sections[0]

    assert (_mm(section.page_width), _mm(section.page_height)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin]
    assert [_mm(m) for m in [*margins, section.right_margin]] == [37, 35, 28, 26]


@pytest.mark.parametrize("name", ["monthly", "summary", "notice"])
def test_styles_name_the_official_fonts_in_the_east_asian_slot(documents, name):
    styles = documents[name].styles

    expected = {
        "Normal": ("仿宋_GB2312", 16),
        "Title": ("方正小标宋简体", 22),
        "Heading 1": ("黑体", 16),
        "Heading 2": ("楷体_GB2312", 16),
    }
    for style_name, (font, size) in expected.items():
        style = styles[style_name]
        assert _east_asian(style.element) == font, style_name
        assert style.font.size == Pt(size), style_name
        assert style.font.bold is not True, style_name
        assert str(style.font.color.rgb) == "000000", style_name


def test_no_style_resolves_its_font_through_the_theme(documents):
    styles_xml = _part_xml(documents["monthly"], "/word/styles.xml")

    assert "asciiTheme" not in styles_xml
    assert "eastAsiaTheme" not in styles_xml
    assert 'w:eastAsia="zh-CN"' in styles_xml
    assert "ja-JP" not in _part_xml(documents["monthly"], "/word/settings.xml")


def test_the_font_table_falls_back_to_the_fonts_every_chinese_windows_has(documents):
    font_table = _part_xml(documents["notice"], "/word/fontTable.xml")

    for font, fallback in [("方正小标宋简体", "宋体"), ("仿宋_GB2312", "仿宋")]:
        assert re.search(f'w:name="{font}">\\s*<w:altName w:val="{fallback}"/>', font_table)


def test_body_is_28_characters_by_22_lines(documents):
    body = documents["monthly"].styles["Normal"].paragraph_format

    assert body.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert body.line_spacing == Pt(28.95)
    assert body.first_line_indent == Pt(32)
    # 225 mm of type area holds 22 lines; 156 mm holds 28 characters of 15.75 pt.
    assert 22 * 28.95 <= Mm(225).pt < 23 * 28.95
    assert 28 * 15.75 <= Mm(156).pt < 29 * 15.75


def test_the_title_is_centred_without_words_blue_rule(documents):
    title = documents["monthly"].styles["Title"]

    assert title.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.element.pPr.find(qn("w:pBdr")) is None


@pytest.mark.parametrize("name", ["monthly", "summary", "notice"])
def test_every_run_names_its_east_asian_font(documents, name):
    document = documents[name]
    paragraphs = list(document.paragraphs)
    cells = [cell for table in document.tables for row in table.rows for cell in row.cells]
    paragraphs += [paragraph for cell in cells for paragraph in cell.paragraphs]

    runs = [run for paragraph in paragraphs for run in paragraph.runs]
    assert runs
    assert all(_east_asian(run._r) for run in runs)


@pytest.mark.parametrize("name", ["monthly", "summary", "notice"])
def test_the_footer_numbers_pages_with_a_page_field_between_dashes(documents, name):
    document = documents[name]
    section = document.sections[0]

    assert document.settings.odd_and_even_pages_header_footer
    for footer, alignment in [
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ]:
        paragraph = footer.paragraphs[0]
        xml = paragraph._p.xml
        assert paragraph.alignment == alignment
        assert '<w:fldChar w:fldCharType="begin"/>' in xml
        assert '<w:instrText xml:space="preserve"> PAGE </w:instrText>' in xml
        assert paragraph.text == "— 1 —"
        assert {run.font.size for run in paragraph.runs} == {Pt(14)}
        assert {_east_asian(run._r) for run in paragraph.runs} == {"宋体"}


@pytest.mark.parametrize("name", ["monthly", "summary", "notice"])
def test_no_paragraph_uses_word_list_numbering(documents, name):
    body = documents[name].element.body

    assert not body.findall(f".//{qn('w:numPr')}")
    assert all(p.style.name != "List Number" for p in documents[name].paragraphs)


def test_items_carry_their_own_numbers_restarting_in_each_list(plan):
    document = common.new_document()
    common.add_items(document, ["甲", "乙"], empty="无")
    common.add_items(document, ["丙"], empty="无")

    assert [p.text for p in document.paragraphs] == ["1.甲", "2.乙", "1.丙"]


def test_table_columns_fit_their_content_and_the_header_repeats(plan):
    document = common.new_document()
    headers = ["类别", "任务数", "未启动", "正常推进", "进度滞后", "受阻", "已完成", "已办结确认"]
    common.add_table(document, headers, [["（一）全面探索完善管理体制", 14, 0, 6, 1, 0, 7, 7]])

    table = Document(BytesIO(common.document_bytes(document))).tables[0]

    widths = [column.width for column in table.columns]
    assert abs(sum(widths) - Mm(156)) < Mm(1)
    category, count = widths[0], widths[1]
    # The category fits on one line of 小四 (13 characters of 12 pt), the counts are narrow.
    assert category >= Pt(13 * 12) and count < Mm(20)
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    sizes = {run.font.size for row in table.rows for c in row.cells for run in c.paragraphs[0].runs}
    assert sizes == {Pt(12)}


def test_a_table_of_long_text_gives_the_text_column_the_room(plan):
    document = common.new_document()
    table = common.add_table(document, ["序号", "具体举措"], [(117, "长" * 200)])

    number, text = (column.width for column in table.columns)
    assert number < Mm(20)
    assert abs(number + text - Mm(156)) < Mm(1)


def test_hostile_text_is_written_without_control_characters(plan):
    document = common.new_document()
    common.add_table(document, ["序号", "具体举措"], [(1, "第一\x07行<w:t>&")])
    common.add_items(document, ["\x1bX"], empty="")

    reread = Document(BytesIO(common.document_bytes(document)))
    assert reread.tables[0].rows[1].cells[1].text == "第一行<w:t>&"
    assert reread.paragraphs[-1].text == "1.X"


def test_properties_name_the_issuing_office(documents, plan):
    notice = documents["notice"]

    assert notice.core_properties.author == plan.programme.issuer
    assert notice.core_properties.language == "zh-CN"
    assert notice.core_properties.title == "关于补报2021年2月试点任务进展情况的通知"
    assert "<Company>测试联席会议办公室</Company>" in _part_xml(notice, "/docProps/app.xml")


def test_chinese_date_has_no_leading_zeros():
    assert common.chinese_date(datetime.date(2022, 6, 5)) == "2022年6月5日"
    assert common.chinese_date(datetime.date(2022, 12, 15)) == "2022年12月15日"


# --- the 催报通知 --------------------------------------------------------------------


def _paragraphs(content: bytes) -> list[str]:
    # Titles carry line breaks (balanced lines); compare their text without them.
    return [p.text.replace("\n", "") for p in Document(BytesIO(content)).paragraphs]


def test_a_unit_with_missing_reports_is_asked_to_report_by_a_working_day_deadline(plan, february):
    # 2021-09-29 (Wed) + 3 working days: 9-30 (Thu); 10-1..10-7 National Day; 10-8 (Fri);
    # 10-9 (Sat, a working day by 调休).
    content = exports.build_urging_notice(
        programme=plan.programme,
        period=february,
        department=plan.finance,
        today=datetime.date(2021, 9, 29),
    )

    paragraphs = _paragraphs(content)
    assert paragraphs[0] == "关于补报2021年2月试点任务进展情况的通知"
    assert paragraphs[1] == "省财政厅："
    assert "应于2021年2月25日前报送2021年2月试点任务进展情况" in paragraphs[2]
    assert "截至2021年9月29日，贵单位尚有1项任务未报送进展情况" in paragraphs[2]
    assert "请于2021年10月9日前（3个工作日内）登录试点任务管理平台补报" in paragraphs[3]
    document = Document(BytesIO(content))
    assert [c.text for c in document.tables[0].rows[1].cells] == ["3", "财政支持政策。"]


def test_a_unit_that_filed_late_is_reminded_not_asked_to_report(plan, february):
    content = exports.build_urging_notice(
        programme=plan.programme, period=february, department=plan.customs, today=TODAY
    )

    paragraphs = _paragraphs(content)
    text = "\n".join(paragraphs)
    assert paragraphs[0] == "关于按期报送试点任务进展情况的通知"
    assert "贵单位各项任务均已报送" in text
    assert (
        "贵单位第1项任务（共1项）的进展情况晚于报送截止日报送，请在今后的报送期次中按期报送。"
        in (paragraphs)
    )
    assert "补报" not in text
    assert not Document(BytesIO(content)).tables


def test_the_notice_ends_with_contact_office_and_date_on_the_right(plan, february):
    office = DepartmentFactory(name=plan.programme.issuer)
    DepartmentContact.objects.create(
        department=office, name="王明", phone="0898-12345678", email="office@example.org"
    )

    content = exports.build_urging_notice(
        programme=plan.programme, period=february, department=plan.finance, today=TODAY
    )

    document = Document(BytesIO(content))
    assert "联系人：王明，电话：0898-12345678，电子邮箱：office@example.org。" in [
        p.text for p in document.paragraphs
    ]
    office_line, date_line = document.paragraphs[-2:]
    assert (office_line.text, date_line.text) == ("测试联席会议办公室", "2021年3月10日")
    assert {office_line.alignment, date_line.alignment} == {WD_ALIGN_PARAGRAPH.RIGHT}
    assert date_line.paragraph_format.right_indent == Pt(64)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", "\n".join(p.text for p in document.paragraphs))


def test_the_offices_own_department_is_never_urged(plan, february):
    office = DepartmentFactory(name=plan.programme.issuer)
    make_user("office-reporter", "reporter", office)
    AssignmentFactory(task=plan.tasks[0], department=office, role=AssignmentRole.LEAD, order=9)

    urged = exports.notices.units_to_urge(programme=plan.programme, period=february)

    assert [unit.department.name for unit in urged] == ["海口海关", "省商务厅", "省财政厅"]
    with pytest.raises(ValueError, match="不向本单位"):
        exports.build_urging_notice(
            programme=plan.programme, period=february, department=office, today=TODAY
        )


def test_a_long_title_breaks_into_even_lines_without_splitting_numbers(plan):
    document = common.new_document()
    document.add_heading("海南省全面深化服务贸易创新发展试点实施方案 2022年5月工作月报", level=0)

    title = Document(BytesIO(common.document_bytes(document))).paragraphs[0]

    assert title.text.split("\n") == [
        "海南省全面深化服务贸易创新发展",
        "试点实施方案 2022年5月工作月报",
    ]
    assert Document(BytesIO(common.document_bytes(document))).core_properties.title == (
        "海南省全面深化服务贸易创新发展试点实施方案 2022年5月工作月报"
    )


def test_the_signature_never_leaves_the_date_alone_on_a_page(plan):
    document = common.new_document()
    common.add_signature(document, "测试联席会议办公室", datetime.date(2022, 6, 15))

    blank, office, day = document.paragraphs
    assert blank.paragraph_format.keep_with_next and office.paragraph_format.keep_with_next
    assert day.text == "2022年6月15日"


def test_the_issuance_block_sits_between_thick_rules_with_the_copy_line_first(plan):
    document = common.new_document()
    common.add_issuance_block(
        document,
        office="测试联席会议办公室",
        day=datetime.date(2022, 6, 15),
        copy_to=["省委办公厅", "省政府办公厅"],
    )

    copy_line, printed = document.paragraphs[-2:]
    assert copy_line.text == "抄送：省委办公厅，省政府办公厅。"
    assert printed.text == "测试联席会议办公室\t2022年6月15日印发"
    assert {run.font.size for p in (copy_line, printed) for run in p.runs} == {Pt(14)}
    top = copy_line._p.pPr.find(f"{qn('w:pBdr')}/{qn('w:top')}")
    middle = copy_line._p.pPr.find(f"{qn('w:pBdr')}/{qn('w:bottom')}")
    bottom = printed._p.pPr.find(f"{qn('w:pBdr')}/{qn('w:bottom')}")
    assert [line.get(qn("w:sz")) for line in (top, middle, bottom)] == ["8", "4", "8"]


def test_a_landscape_document_fits_its_tables_to_the_wider_page(plan):
    document = common.new_document(landscape=True)
    table = common.add_table(document, ["序号", "具体举措"], [(1, "长" * 200)])

    assert abs(sum(column.width for column in table.columns) - Mm(297 - 28 - 26)) < Mm(1)


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        (
            "海南省全面深化服务贸易创新发展试点实施方案试点总结（截至2022年6月15日）",
            ["海南省全面深化服务贸易创新发展试点", "实施方案试点总结（截至2022年6月15日）"],
        ),
        (
            "海南省全面深化服务贸易创新发展试点实施方案2022年5月工作进展情况月报（中期·未截止）",
            [
                "海南省全面深化服务贸易创新发展",
                "试点实施方案2022年5月工作",
                "进展情况月报（中期·未截止）",
            ],
        ),
    ],
)
def test_a_long_title_never_breaks_inside_a_word(plan, title, lines):
    document = common.new_document()
    document.add_heading(title, level=0)

    assert Document(BytesIO(common.document_bytes(document))).paragraphs[0].text.split("\n") == (
        lines
    )


def test_a_title_breaks_after_a_date_rather_than_inside_a_word(plan):
    document = common.new_document()
    document.add_heading("关于补报2022年5月试点任务进展情况的通知", level=0)

    title = Document(BytesIO(common.document_bytes(document))).paragraphs[0]

    assert title.text.split("\n") == ["关于补报2022年5月", "试点任务进展情况的通知"]


# --- the monthly report and the summary as the office signs them ---------------------

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PADDED_DATE = re.compile(r"年0\d月|月0\d日")


def _all_text(document) -> str:
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.parametrize("name", ["monthly", "summary"])
def test_report_dates_are_written_the_chinese_way(documents, name):
    text = _all_text(documents[name]) + documents[name].core_properties.title

    assert "2021年2月25日" in text
    assert not ISO_DATE.search(text)
    assert not PADDED_DATE.search(text)


@pytest.mark.parametrize(
    ("name", "day"), [("monthly", "2021年2月25日"), ("summary", "2021年3月10日")]
)
def test_a_report_is_signed_by_the_office_on_its_cut_off_date(documents, name, day):
    paragraphs = documents[name].paragraphs
    office = next(i for i, p in enumerate(paragraphs) if p.text == "测试联席会议办公室")

    signature, date_line = paragraphs[office], paragraphs[office + 1]
    assert date_line.text == day
    assert signature.alignment == date_line.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert documents[name].core_properties.author == "测试联席会议办公室"
    assert "<Company>测试联席会议办公室</Company>" in _part_xml(
        documents[name], "/docProps/app.xml"
    )


@pytest.mark.parametrize("name", ["monthly", "summary"])
def test_a_report_ends_with_copy_and_issuance_lines(documents, name):
    copy_line, printed = documents[name].paragraphs[-2:]

    assert copy_line.text == "抄送：联席会议各成员单位。"
    assert printed.text.startswith("测试联席会议办公室\t")
    assert printed.text.endswith("日印发")


def test_an_interim_report_is_signed_on_the_day_it_was_generated(plan, february):
    march = plan.periods[(2021, 3)]  # due 2021-03-25; the clock is on 2021-03-10

    content = exports.build_monthly_document(programme=plan.programme, period=march)

    paragraphs = [p.text for p in Document(BytesIO(content)).paragraphs]
    assert paragraphs[paragraphs.index("测试联席会议办公室") + 1] == "2021年3月10日"
    assert paragraphs[-1] == "测试联席会议办公室\t2021年3月10日印发"


@pytest.mark.parametrize("name", ["monthly", "summary"])
def test_report_items_are_numbered_once(documents, name):
    items = [p.text for p in documents[name].paragraphs if re.match(r"\d+\.", p.text)]

    assert items
    assert not [text for text in items if re.match(r"\d+\.\s*第\d+项", text)]
    assert all(re.match(r"\d+\.\S", text) for text in items)


@pytest.mark.parametrize("name", ["monthly", "summary"])
def test_report_headings_are_plain_text_in_the_heading_styles(documents, name):
    paragraphs = documents[name].paragraphs
    first = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    second = [p.text for p in paragraphs if p.style.name == "Heading 2"]

    assert first and all(re.match(r"[一二三四五六七]、\S", text) for text in first)
    assert all(re.match(r"（[一二三]）\S", text) for text in second)
    assert len(second) == {"monthly": 0, "summary": 6}[name]


def test_the_reporting_table_gives_the_unit_names_the_room(documents):
    table = next(t for t in documents["monthly"].tables if t.cell(0, 0).text == "单位")

    widths = [column.width for column in table.columns]
    assert abs(sum(widths) - Mm(156)) < Mm(1)
    # 单位 holds 10 characters of 小四 on a line; each count column is narrow.
    assert widths[0] >= Pt(10 * 12)
    assert all(width < Mm(15) for width in widths[1:5])
