"""Units are listed by kind, then by the pinyin of their name, collectives last."""

from departments.models import Department, DepartmentKind
from departments.ordering import order_units


def _unit(name, kind=DepartmentKind.PROVINCIAL):
    return Department(name=name, kind=kind)


def test_units_are_listed_by_kind_then_pinyin_with_collectives_last():
    units = [
        _unit("“双随机、一公开”监管联席会议成员单位", DepartmentKind.COLLECTIVE),
        _unit("三亚市政府", DepartmentKind.CITY),
        _unit("省商务厅"),
        _unit("各市县", DepartmentKind.COLLECTIVE),
        _unit("省高院", DepartmentKind.OTHER),
        _unit("博鳌乐城管理局", DepartmentKind.PARK),
        _unit("省委网信办", DepartmentKind.PARTY),
        _unit("海口海关", DepartmentKind.CENTRAL),
        _unit("海口市政府", DepartmentKind.CITY),
        _unit("省财政厅"),
    ]

    names = [unit.name for unit in order_units(units)]

    assert names == [
        "省财政厅",  # sheng cai
        "省商务厅",  # sheng shang
        "海口海关",
        "省委网信办",
        "海口市政府",  # hai
        "三亚市政府",  # san
        "博鳌乐城管理局",
        "省高院",
        "各市县",  # ge
        "“双随机、一公开”监管联席会议成员单位",  # shuang: the quote mark does not count
    ]


def test_order_units_sorts_items_that_hold_a_unit():
    rows = [("b", _unit("省商务厅")), ("a", _unit("省财政厅"))]

    assert order_units(rows, unit=lambda row: row[1]) == [rows[1], rows[0]]
