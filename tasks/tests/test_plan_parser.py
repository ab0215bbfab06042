"""Tests for the parser of 琼商服〔2020〕150号 and the department directory.

No database and no Django: both modules are pure Python.
"""

from pathlib import Path

import pytest

from departments.directory import DIRECTORY, KINDS, resolve
from tasks.plan_parser import (
    HEADER,
    Erratum,
    full_width_punctuation,
    parse_plan,
    read_errata,
    split_responsibility,
)

SEED = Path(__file__).resolve().parent.parent / "plan_data" / "qsf-2020-150.txt"

# Leads and supports of every task, written out by hand from the appendix, cell by cell.
EXPECTED = {
    1: (("省服务贸易创新发展试点联席会议办公室",), ("各成员单位", "有关部门")),
    2: (("省药品监管局",), ()),
    3: (
        ("省住建厅",),
        (
            "省发展改革委",
            "省交通厅",
            "省水务厅",
            "省生态环境厅",
            "省自然资源规划厅",
            "有关部门",
            "各市县",
        ),
    ),
    4: (("省住建厅", "省自然资源规划厅"), ("有关部门", "各市县")),
    5: (("省自然资源规划厅",), ("有关部门", "各市县")),
    6: (("省旅文厅",), ()),
    7: (("省交通厅",), ()),
    8: (("省教育厅",), ("各市县教育局",)),
    9: (("海口海关", "省商务厅"), ("有关部门", "各市县")),
    10: (("省旅文厅",), ("各市县",)),
    11: (("省商务厅",), ("海南省税务局", "人行海口中心支行", "各市县")),
    12: (("省商务厅",), ("各市县",)),
    13: (("省商务厅",), ()),
    14: (("省商务厅", "海口海关"), ()),
    15: (("省商务厅",), ()),
    16: (("省商务厅",), ()),
    17: (("民航海南安全监督管理局",), ()),
    18: (
        (
            "省交通厅",
            "民航海南安全监督管理局",
            "省财政厅",
            "海口市政府",
            "三亚市政府",
            "琼海市政府",
        ),
        (),
    ),
    19: (("省交通厅",), ()),
    20: (("省交通厅",), ()),
    21: (("海南银保监局", "省金融局", "省商务厅", "省委统战部"), ()),
    22: (("海南银保监局", "省金融局", "省商务厅"), ("各市县",)),
    23: (("省卫健委",), ("海南银保监局", "有关部门")),
    24: (("海南银保监局", "省金融局", "省商务厅"), ()),
    25: (("海南证监局", "省金融局", "省商务厅"), ()),
    26: (
        (
            "省商务厅",
            "海南证监局",
            "国家外汇管理局海南省分局",
            "省金融局",
            "省工信厅",
            "省科技厅",
        ),
        (),
    ),
    27: (("省司法厅", "省商务厅", "省委统战部"), ()),
    28: (("省司法厅", "省商务厅"), ()),
    29: (
        ("省教育厅",),
        ("省人社厅", "省公安厅", "省商务厅", "省委人才局", "省科技厅", "省委外办", "陵水县"),
    ),
    30: (("省卫健委", "省商务厅"), ("各市县",)),
    31: (("省住建厅", "省商务厅"), ("各市县",)),
    32: (("省公安厅", "省委人才局", "省科技厅"), ("省委外办", "有关部门")),
    33: (("省知识产权局", "省商务厅"), ()),
    34: (("省自然资源规划厅", "省人社厅", "省商务厅", "省委统战部"), ("各市县",)),
    35: (("省委统战部", "省市场监督管理局"), ()),
    36: (("省人社厅", "省商务厅", "省通信管理局"), ()),
    37: (("省委统战部",), ("省委人才局",)),
    38: (
        (
            "省委人才局",
            "省人社厅",
            "人行海口中心支行",
            "海南银保监局",
            "海南证监局",
            "省金融局",
            "省住建厅",
            "省工信厅",
        ),
        (),
    ),
    39: (("省人社厅", "省委人才局", "省商务厅", "省委统战部"), ()),
    40: (("省委统战部", "省商务厅"), ("有关部门", "各市县")),
    41: (("省药品监管局", "海口海关"), ("有关部门", "各市县", "各园区管理机构")),
    42: (("省市场监督管理局",), ("各市县",)),
    43: (("省商务厅",), ("各市县商务主管部门",)),
    44: (("省知识产权局", "省市场监督管理局"), ("有关部门",)),
    45: (("省知识产权局",), ("有关部门", "各市县")),
    46: (("省知识产权局",), ("有关部门", "各市县")),
    47: (("人行海口中心支行",), ("有关部门",)),
    48: (("人行海口中心支行",), ("有关部门",)),
    49: (("人行海口中心支行", "省发展改革委", "省商务厅", "省国资委"), ()),
    50: (("人行海口中心支行", "海南证监局", "省国资委"), ()),
    51: (("人行海口中心支行", "海南证监局", "省金融局"), ()),
    52: (("人行海口中心支行",), ()),
    53: (("国家外汇管理局海南省分局",), ()),
    54: (("人行海口中心支行", "海南证监局"), ()),
    55: (("人行海口中心支行", "国家外汇管理局海南省分局"), ()),
    56: (("省公安厅",), ("省委外办", "省旅文厅")),
    57: (("省公安厅", "省卫健委", "省科技厅"), ("省委外办", "有关部门", "各市县")),
    58: (("省公安厅", "省卫健委"), ("省委外办", "省商务厅", "各市县")),
    59: (
        ("省科技厅", "省人社厅", "省教育厅", "省公安厅"),
        ("省委外办", "有关部门", "各市县"),
    ),
    60: (("省委人才局",), ("有关部门",)),
    61: (("省科技厅", "省人社厅"), ("有关部门", "各市县")),
    62: (("省科技厅", "省人社厅"), ("省委外办", "有关部门", "各市县")),
    63: (("省科技厅", "省公安厅", "省委人才局"), ("省委外办", "有关部门", "各市县")),
    64: (("省科技厅", "省人社厅", "省委组织部"), ("省委外办", "有关部门", "各市县")),
    65: (
        ("省科技厅", "省社会保险服务中心", "海南省税务局", "省医保局"),
        ("有关部门", "各市县"),
    ),
    66: (("省人社厅", "省科技厅"), ("省委外办", "有关部门", "各市县")),
    67: (("省教育厅",), ()),
    68: (("省科技厅", "省人社厅", "省公安厅", "省教育厅"), ("省委外办",)),
    69: (("省公安厅",), ("省科技厅", "省委外办")),
    70: (("省公安厅", "省人社厅", "省科技厅"), ("省委外办",)),
    71: (("省工信厅", "省通信管理局"), ()),
    72: (("省委网信办",), ()),
    73: (("省委网信办",), ("省科技厅",)),
    74: (("省发展改革委", "省委网信办", "省工信厅", "省委统战部"), ()),
    75: (("省科技厅", "省财政厅", "省教育厅", "省委统战部"), ()),
    76: (("省药品监管局",), ()),
    77: (("省委宣传部", "省旅文厅", "省委统战部"), ()),
    78: (("省委网信办", "省工信厅", "省商务厅", "海南证监局", "省大数据管理局"), ()),
    79: (("省委宣传部", "省旅文厅", "省商务厅"), ()),
    80: (("省委宣传部",), ()),
    81: (("省委宣传部",), ()),
    82: (("省市场监督管理局", "省教育厅"), ()),
    83: (("海口海关", "省商务厅"), ("省财政厅", "海南省税务局")),
    84: (("省交通厅", "民航海南安全监督管理局"), ("省邮政管理局",)),
    85: (("人行海口中心支行", "省工信厅", "省商务厅", "省旅文厅", "省委网信办"), ()),
    86: (("人行海口中心支行",), ()),
    87: (("省旅文厅", "海南省税务局", "省公安厅"), ("省委外办",)),
    88: (("省委宣传部", "省旅文厅", "省商务厅"), ()),
    89: (
        (
            "省发展改革委",
            "省市场监督管理局",
            "海口海关",
            "省科技厅",
            "省卫健委",
            "省商务厅",
            "博鳌乐城管理局",
        ),
        (),
    ),
    90: (
        (
            "海南生态软件园管理局",
            "省委网信办",
            "省委宣传部",
            "省工信厅",
            "省商务厅",
            "省知识产权局",
        ),
        (),
    ),
    91: (
        (
            "省发展改革委",
            "省卫健委",
            "省市场监督管理局",
            "省科技厅",
            "省大数据管理局",
            "民航海南安全监督管理局",
            "省知识产权局",
            "省委统战部",
        ),
        (),
    ),
    92: (("省商务厅", "各市县"), ()),
    93: (("省商务厅", "省贸促会"), ("省委外办",)),
    94: (("省委宣传部",), ("省旅文厅",)),
    95: (("省旅文厅",), ()),
    96: (("省司法厅", "省贸促会"), ()),
    97: (("省司法厅", "省高院"), ()),
    98: (("省卫健委", "省医保局", "省财政厅", "省市场监督管理局", "省商务厅"), ()),
    99: (("省商务厅", "省财政厅"), ()),
    100: (("人行海口中心支行", "省市场监督管理局"), ()),
    101: (("海南银保监局", "省金融局"), ()),
    102: (
        (
            "人行海口中心支行",
            "海南银保监局",
            "海南证监局",
            "省金融局",
            "省知识产权局",
            "省委宣传部",
        ),
        (),
    ),
    103: (("海南银保监局", "省商务厅", "省财政厅"), ()),
    104: (("省商务厅",), ()),
    105: (
        (
            "省委网信办",
            "省通信管理局",
            "省科技厅",
            "省工信厅",
            "省商务厅",
            "省大数据管理局",
        ),
        (),
    ),
    106: (("省委网信办", "省工信厅", "省公安厅", "省商务厅", "有关部门"), ()),
    107: (("省市场监督管理局",), ("“双随机、一公开”监管联席会议成员单位",)),
    108: (("省商务厅",), ("各成员单位",)),
    109: (("省商务厅",), ("各成员单位",)),
    110: (("省商务厅",), ("各成员单位",)),
    111: (("省委宣传部",), ("省旅文厅", "省商务厅", "各市县")),
    112: (("省商务厅",), ("有关部门",)),
    113: (("省金融局", "海南证监局", "省知识产权局"), ()),
    114: (("海南银保监局",), ()),
    115: (("省商务厅", "省财政厅", "海南经发局"), ()),
    116: (("省教育厅",), ()),
    117: (
        ("省工信厅",),
        ("省金融局", "省科技厅", "海口市政府", "澄迈县政府", "海南生态软件园管理局"),
    ),
}

CATEGORY_TITLES = {
    1: "全面探索完善管理体制",
    2: "全面探索扩大对外开放",
    3: "全面探索提升便利水平",
    4: "全面探索创新发展模式",
    5: "全面探索健全促进体系",
    6: "全面探索优化政策体系",
    7: "全面探索完善监管模式",
    8: "全面探索健全统计体系",
    9: "其他",
}

# First and last task of each category, read off the table.
CATEGORY_SPANS = {
    1: (1, 14),
    2: (15, 40),
    3: (41, 75),
    4: (76, 89),
    5: (90, 96),
    6: (97, 103),
    7: (104, 107),
    8: (108, 110),
    9: (111, 117),
}


@pytest.fixture(scope="module")
def text():
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def plan(text):
    return parse_plan(text)


@pytest.fixture(scope="module")
def tasks(plan):
    return {task.number: task for task in plan.tasks}


# --- every task, one by one ---------------------------------------------------------


def test_expected_table_covers_all_117_tasks():
    assert sorted(EXPECTED) == list(range(1, 118))


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_task_has_the_leads_read_by_hand(tasks, number):
    assert set(tasks[number].leads) == set(EXPECTED[number][0])


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_task_has_the_supports_read_by_hand(tasks, number):
    assert set(tasks[number].supports) == set(EXPECTED[number][1])


# --- structure ----------------------------------------------------------------------


def test_117_tasks_are_numbered_1_to_117_consecutively(plan):
    assert [task.number for task in plan.tasks] == list(range(1, 118))


def test_nine_categories_have_their_titles_and_full_width_labels(plan):
    assert {c.number: c.title for c in plan.categories} == CATEGORY_TITLES
    assert [c.label for c in plan.categories] == [
        "（一）",
        "（二）",
        "（三）",
        "（四）",
        "（五）",
        "（六）",
        "（七）",
        "（八）",
        "（九）",
    ]


@pytest.mark.parametrize("category", sorted(CATEGORY_SPANS))
def test_tasks_fall_in_the_category_whose_label_precedes_them(tasks, category):
    first, last = CATEGORY_SPANS[category]
    assert {tasks[n].category for n in range(first, last + 1)} == {category}


def test_both_bracket_kinds_occur_in_the_source_and_parse_alike(text, plan):
    # (一) is half-width with a space, （二） full-width, (三) half-width without a space.
    assert "\n(一) 全面探索完善管理体制\t1\t" in text
    assert "\n（二）全面探索扩大对外开放\t15\t" in text
    assert "\n(三)全面探索提升便利水平\t41\t" in text
    assert [c.number for c in plan.categories] == list(range(1, 10))


def test_repeated_page_header_yields_no_task_and_leaks_into_no_cell(text, plan):
    assert text.count(HEADER) == 14
    for task in plan.tasks:
        assert "试点任务" not in task.measure
        assert "\t" not in task.measure + task.responsibility


def test_every_task_has_at_least_one_lead(plan):
    assert all(task.leads for task in plan.tasks)


def test_no_department_is_both_lead_and_support_on_a_task(plan):
    for task in plan.tasks:
        assert not set(task.leads) & set(task.supports), task.number


def test_every_named_unit_is_in_the_directory(plan):
    names = {entry.name for entry in DIRECTORY}
    for task in plan.tasks:
        assert set(task.leads + task.supports) <= names, task.number


# --- rows cut by a page break -------------------------------------------------------


def test_task_9_joins_both_cells_across_the_page_break(tasks):
    assert tasks[9].measure == (
        "落实海关总署、商务部出台的重要展品进出境便利措施，对已获得我国检疫准入涉及检"
        "验检疫行政审批事项的有关展会进境动植物及其产品，由海口海关办理进出境有关事宜。"
    )
    assert tasks[9].responsibility == "海口海关、省商务厅统筹推进；有关部门和市县负责落实。"


def test_task_17_continues_only_its_measure(tasks):
    assert tasks[17].measure.endswith(
        "推行分类简化航空公司开辟至共建“一带一路”航权开放国家国际航线的经营许可审批手续。"
    )
    assert tasks[17].responsibility == "民航海南安全监管局负责推进。"


def test_task_33_continues_only_its_measure(tasks):
    assert "成绩合格者，发给《专利代理师资格证》。" in tasks[33].measure
    assert tasks[33].measure.endswith("专利代理机构的合伙人或股东。")
    assert tasks[33].responsibility == "省知识产权局、省商务厅负责推进。"


def test_task_49_continues_only_its_responsibility(tasks):
    assert tasks[49].measure == "推行保税燃料油供应以人民币计价、结算。"
    assert tasks[49].responsibility == (
        "人行海口中心支行、省发改委、省商务厅、省国资委等负责推进。"
    )


def test_task_58_continues_its_responsibility_mid_word(tasks):
    assert tasks[58].responsibility.endswith("省委外办、省商务厅和市县配合落实。")


def test_task_66_continues_both_cells(tasks):
    assert tasks[66].measure.startswith("落实游戏动漫研发、影视制作、会展策划、创意设计等领域")
    assert tasks[66].responsibility == (
        "省人社厅、省科技厅负责推进，省委外办等有关部门和市县配合落实。"
    )


def test_task_102_joins_a_unit_name_split_by_the_page_break(tasks):
    assert "、省金融局、省知识产权局、省委宣传部等负责推进。" in tasks[102].responsibility
    assert "规范探索知识产权证券化。" in tasks[102].measure


# --- text kept as written -----------------------------------------------------------


def test_task_86_keeps_the_doubled_he_typo(tasks):
    assert "并视展业和和合规情况逐步扩大试点范围" in tasks[86].measure


# --- errata (tasks/plan_data/errata.tsv) -------------------------------------------


def test_task_78_reads_he_where_the_source_has_a_stray_english_and(tasks):
    assert "监管等规则和标准；" in tasks[78].measure
    assert "监管等规则 and 标准；" in tasks[78].source_measure


def test_half_width_punctuation_in_chinese_text_becomes_full_width(tasks):
    assert tasks[41].measure.startswith(
        "落实进口研发（测试）用未注册医疗器械分级管理制度：对于有关产业园区内科研机构"
    )
    assert "（非诊断试剂），进行I类产品（重点产品）和II类产品（一般产品）分级管理，" in (
        tasks[41].measure
    )
    assert tasks[41].responsibility == (
        "省药品监管局、海口海关等负责推进，各有关部门及市县、园区配合落实。"
    )


def test_no_half_width_punctuation_is_left_inside_chinese_text(plan):
    for task in plan.tasks:
        assert full_width_punctuation(task.measure) == task.measure, task.number
        assert full_width_punctuation(task.responsibility) == task.responsibility, task.number


def test_the_source_text_of_every_cell_is_kept_for_audit(text, plan):
    raw = {task.number: task for task in parse_plan(text, errata=()).tasks}
    for task in plan.tasks:
        assert task.source_measure == raw[task.number].measure
        assert task.source_responsibility == raw[task.number].responsibility
    changed = [t.number for t in plan.tasks if t.measure != t.source_measure]
    assert changed == [41, 42, 44, 45, 46, 47, 48, 66, 67, 68, 70, 72, 73, 74, 75, 76, 78]


def test_errata_change_punctuation_and_the_one_word_only(plan):
    for task in plan.tasks:
        for corrected, source in (
            (task.measure, task.source_measure),
            (task.responsibility, task.source_responsibility),
        ):
            undone = corrected.translate(str.maketrans("，：；（）", ",:;()"))
            redone = source.replace("规则 and 标准", "规则和标准")
            assert undone == redone.translate(str.maketrans("，：；（）", ",:;()"))


def test_errata_do_not_change_who_is_responsible(text, plan):
    raw = {task.number: task for task in parse_plan(text, errata=()).tasks}
    for task in plan.tasks:
        assert (task.leads, task.supports) == (
            raw[task.number].leads,
            raw[task.number].supports,
        )


def test_every_erratum_row_names_its_reason():
    errata = read_errata()
    assert len(errata) == 42
    assert all(row.reason and row.original != row.corrected for row in errata)
    assert errata[-1] == Erratum(
        78, "measure", "规则 and 标准", "规则和标准", "stray English word between Chinese words"
    )


def test_an_erratum_that_no_longer_matches_stops_the_parse(text):
    stale = (Erratum(78, "measure", "规则 or 标准", "规则或标准", "test"),)
    with pytest.raises(ValueError, match="erratum for task 78 measure does not match"):
        parse_plan(text, errata=stale)


@pytest.mark.parametrize(
    ("source", "corrected"),
    [
        ("推进,各市县", "推进，各市县"),
        ("制度:对于", "制度：对于"),
        ("试点;探索", "试点；探索"),
        ("研发(测试)用", "研发（测试）用"),
        ("“本币优先”原则,指导", "“本币优先”原则，指导"),
        ("10:30 开会", "10:30 开会"),
        ("1,000万元", "1,000万元"),
        ("CCC,免办", "CCC,免办"),
        ("产品(Class I)", "产品(Class I)"),
        ("编号(2020)", "编号(2020)"),
        ("rules and standards", "rules and standards"),
    ],
)
def test_full_width_rule_touches_only_punctuation_inside_chinese_text(source, corrected):
    assert full_width_punctuation(source) == corrected


# --- responsibility rules -----------------------------------------------------------


def test_office_note_names_where_the_office_sits_not_a_second_unit(tasks):
    # Task 1: 省服务贸易创新发展试点联席会议办公室（商务厅）牵头
    assert tasks[1].leads == ("省服务贸易创新发展试点联席会议办公室",)
    assert "省商务厅" not in tasks[1].supports


def test_abbreviation_list_of_task_3_expands_to_departments_and_collectives(tasks):
    assert "发改、交通、水务、环保、资规等有关部门和市县负责推进" in tasks[3].responsibility
    assert tasks[3].supports == (
        "省发展改革委",
        "省交通厅",
        "省水务厅",
        "省生态环境厅",
        "省自然资源规划厅",
        "有关部门",
        "各市县",
    )


def test_guidance_then_promotion_makes_the_first_lead_and_the_later_support():
    # Task 4.
    leads, supports = split_responsibility("省住建厅、省资规厅统筹指导，有关部门和市县负责推进。")
    assert leads == ("省住建厅", "省自然资源规划厅")
    assert supports == ("有关部门", "各市县")


def test_trailing_enumeration_comma_before_the_verb_of_task_22_is_ignored(tasks):
    assert "省商务厅、负责统筹指导" in tasks[22].responsibility
    assert tasks[22].leads == ("海南银保监局", "省金融局", "省商务厅")


def test_clause_joined_by_an_enumeration_comma_in_task_56_still_supports(tasks):
    assert tasks[56].responsibility == "省公安厅负责推进、省委外办、省旅文厅配合落实。"
    assert tasks[56].supports == ("省委外办", "省旅文厅")


@pytest.mark.parametrize(
    ("task", "verbs"),
    [
        (1, ("牵头", "共同负责推进")),
        (3, ("统筹指导", "负责推进")),
        (9, ("统筹推进", "负责落实")),
        (11, ("负责统筹推进", "负责落实")),
        (22, ("负责统筹指导", "落实推进")),
        (23, ("牵头", "配合落实")),
        (37, ("牵头", "配合推进")),
        (60, ("牵头推进", "配合落实")),
        (73, ("负责指导", "负责推进")),
        (107, ("牵头", "负责推进")),
        (108, ("牵头", "配合")),
    ],
)
def test_each_verb_pair_splits_into_one_lead_and_later_supports(tasks, task, verbs):
    first, later = verbs
    text = tasks[task].responsibility
    assert text.index(first) < text.rindex(later)
    assert tasks[task].leads and tasks[task].supports


def test_a_unit_named_as_lead_and_support_keeps_only_the_lead_role():
    leads, supports = split_responsibility("省商务厅牵头，省商务厅、省财政厅配合。")
    assert leads == ("省商务厅",)
    assert supports == ("省财政厅",)


def test_names_come_out_in_order_of_first_mention():
    leads, supports = split_responsibility("省财政厅、省商务厅、省财政厅负责推进。")
    assert leads == ("省财政厅", "省商务厅")
    assert supports == ()


def test_bare_deng_adds_no_collective_but_deng_bumen_does(tasks):
    # Task 49: ……省国资委等负责推进. Task 23: 海南银保监局等部门配合落实.
    assert "有关部门" not in tasks[49].leads
    assert tasks[23].supports == ("海南银保监局", "有关部门")


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="省不存在厅"):
        split_responsibility("省不存在厅负责推进。")


def test_units_left_without_a_verb_are_refused():
    with pytest.raises(ValueError, match="省财政厅"):
        split_responsibility("省商务厅负责推进，省财政厅")


# --- the directory ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "spelling", "canonical"),
    [
        (5, "省资规厅", "省自然资源规划厅"),
        (34, "省自然资源规划厅", "省自然资源规划厅"),
        (3, "资规", "省自然资源规划厅"),
        (42, "省市场监督管理局", "省市场监督管理局"),
        (98, "省市场监管局", "省市场监督管理局"),
        (49, "省发改委", "省发展改革委"),
        (91, "省发展改革委", "省发展改革委"),
        (3, "发改", "省发展改革委"),
        (24, "海南银保监局", "海南银保监局"),
        (101, "省银保监局", "海南银保监局"),
        (114, "省银保监局", "海南银保监局"),
        (25, "海南证监局", "海南证监局"),
        (113, "省证监局", "海南证监局"),
        (17, "民航海南安全监管局", "民航海南安全监督管理局"),
        (84, "民航海南安全监督管理局", "民航海南安全监督管理局"),
        (91, "省民航局", "民航海南安全监督管理局"),
        (91, "省知识产权、", "省知识产权局"),
        (3, "交通", "省交通厅"),
        (3, "水务", "省水务厅"),
        (3, "环保", "省生态环境厅"),
        (41, "各有关部门", "有关部门"),
        (60, "相关单位", "有关部门"),
        (106, "有关行业主管部门", "有关部门"),
        (111, "有关市县", "各市县"),
        (92, "各园区所属地政府", "各市县"),
        (41, "园区", "各园区管理机构"),
        (108, "省服务贸易创新发展联席会议成员单位", "各成员单位"),
    ],
)
def test_spelling_folds_to_its_canonical_department(tasks, task, spelling, canonical):
    assert spelling in tasks[task].responsibility
    assert resolve(spelling.rstrip("、")).name == canonical
    assert canonical in tasks[task].leads + tasks[task].supports


def test_truncated_zhishichanquan_of_task_91_is_the_ip_office(tasks):
    assert "省大数据管理局、省民航局、省知识产权、省委统战部" in tasks[91].responsibility
    assert "省知识产权局" in tasks[91].leads


def test_every_directory_spelling_resolves_to_its_own_entry():
    for entry in DIRECTORY:
        for alias in entry.aliases:
            assert resolve(alias) is entry


def test_directory_entries_are_unique_and_well_formed():
    names = [entry.name for entry in DIRECTORY]
    assert len(names) == len(set(names))
    for entry in DIRECTORY:
        assert entry.kind in KINDS
        assert entry.name in entry.aliases
        assert [len(a) for a in entry.aliases] == sorted(map(len, entry.aliases), reverse=True)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("省商务厅", "provincial"),
        ("省委统战部", "party"),
        ("省委外办", "party"),
        ("海口海关", "central"),
        ("省通信管理局", "central"),
        ("海南省税务局", "central"),
        ("陵水县", "city"),
        ("博鳌乐城管理局", "park"),
        ("各市县教育局", "collective"),
        ("省服务贸易创新发展试点联席会议办公室", "other"),
    ],
)
def test_department_has_the_kind_of_its_real_body(name, kind):
    assert resolve(name).kind == kind


def test_resolving_an_unknown_spelling_names_it_in_the_error():
    with pytest.raises(KeyError, match="省不存在厅"):
        resolve("省不存在厅")
