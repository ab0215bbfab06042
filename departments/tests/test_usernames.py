import pytest

from departments.usernames import pinyin_username


@pytest.mark.parametrize(
    ("name", "username"),
    [
        ("省商务厅", "shangwu"),
        ("省委网信办", "wangxin"),
        ("省委外办", "waiban"),  # 外 alone would say nothing: the suffix stays
        ("海南银保监局", "yinbaojian"),
        ("省大数据管理局", "dashuju"),
        ("三亚市政府", "sanya"),
        ("海口海关", "haikouhaiguan"),
        ("省旅文厅", "lvwen"),  # ü is written v, as in pinyin input methods
        ("人行海口中心支行", "renhanghaikouzhongxinzhihang"),  # 行 is háng in a bank's name
    ],
)
def test_username_is_the_pinyin_of_the_name_without_place_and_kind(name, username):
    assert pinyin_username(name) == username


def test_a_name_with_nothing_to_spell_gives_an_empty_username():
    assert pinyin_username("“—”") == ""
