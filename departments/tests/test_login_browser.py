import pytest

from conftest import browser_login
from departments.models import Role
from pilot.testing.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_user_logs_in_through_the_chinese_login_form(page):
    make_user("office", Role.OFFICE)
    browser_login(page, "office")
    assert page.url.endswith("/")
    assert "退出" in page.content()


def test_wrong_password_shows_a_chinese_message(page):
    make_user("office", Role.OFFICE)
    browser_login(page, "office", password="wrong")
    assert "请输入一个正确的" in page.content()
