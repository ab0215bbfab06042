import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from pilot.env import env_bool, env_date, env_int, env_list


def test_env_bool_reads_common_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "True")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "0")
    assert env_bool("FLAG", True) is False


def test_env_bool_refuses_a_misspelt_value(monkeypatch):
    monkeypatch.setenv("FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", False)


def test_env_bool_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)
    assert env_bool("FLAG", True) is True


def test_env_int_refuses_text(monkeypatch):
    monkeypatch.setenv("NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("NUMBER", 1)


def test_env_list_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, ,b.example")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


def test_env_date_parses_iso_dates_and_refuses_others(monkeypatch):
    monkeypatch.setenv("AS_OF", "2022-06-15")
    assert env_date("AS_OF") == datetime.date(2022, 6, 15)
    monkeypatch.setenv("AS_OF", "15/06/2022")
    with pytest.raises(ImproperlyConfigured):
        env_date("AS_OF")


def test_chinese_is_the_default_language_with_english_available(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.TIME_ZONE == "Asia/Shanghai"
