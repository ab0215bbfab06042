"""Forgotten password: Django's reset flow, in Chinese, with links to PORTAL_BASE_URL."""

import re

import pytest
from django.contrib.auth import authenticate
from django.core import mail

from departments.models import AccountEvent, AccountVerb, Role
from pilot.testing.factories import make_user

RESET = "/accounts/password/reset/"
NEW_PASSWORD = "Xin-mima-2021!"


@pytest.fixture
def reporter(db):
    user = make_user("zhang", Role.MEMBER)
    user.email = "zhang@example.gov.cn"
    user.set_password("old-password-123")
    user.save()
    return user


@pytest.fixture
def base_url(settings):
    settings.PORTAL_BASE_URL = "https://pilot.example.gov.cn/"
    return "https://pilot.example.gov.cn"


def _mailed_link(message) -> str:
    [link] = re.findall(r"https?://\S+", message.body)
    return link


def test_login_page_links_to_the_forgotten_password_page(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert f'<a href="{RESET}">忘记密码？</a>' in page


def test_reset_mail_is_chinese_and_links_to_the_portal_address_not_the_request_host(
    client, reporter, base_url
):
    # The request comes in as "testserver": the link must not be built from it.
    response = client.post(RESET, {"email": "zhang@example.gov.cn"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    [message] = mail.outbox
    assert message.to == ["zhang@example.gov.cn"]
    assert message.subject == "试点任务管理平台：重置密码"
    assert "账号“zhang”的密码" in message.body
    assert "如果不是您本人申请，请忽略本邮件" in message.body
    assert _mailed_link(message).startswith(base_url + "/accounts/password/reset/")
    assert "testserver" not in message.body


def test_unknown_address_gets_the_same_answer_and_no_mail(client, reporter):
    response = client.post(RESET, {"email": "nobody@example.gov.cn"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []
    page = client.get("/accounts/password/reset/sent/").content.decode()
    assert "请查收邮件" in page


def test_inactive_account_gets_no_mail(client, reporter):
    reporter.is_active = False
    reporter.save()
    client.post(RESET, {"email": "zhang@example.gov.cn"})
    assert mail.outbox == []


def test_the_mailed_link_sets_a_new_password_once_and_is_audited(client, reporter, base_url):
    client.post(RESET, {"email": "zhang@example.gov.cn"})
    path = _mailed_link(mail.outbox[0]).removeprefix(base_url)
    form_page = client.get(path, follow=True)
    assert "设置新密码" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]

    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done["Location"] == "/accounts/password/reset/done/"
    assert authenticate(username="zhang", password=NEW_PASSWORD) is not None
    event = AccountEvent.objects.get(account=reporter, verb=AccountVerb.PASSWORD_CHANGED)
    assert (event.actor, event.detail) == (reporter, "通过邮件链接重置密码")
    again = client.get(path, follow=True).content.decode()
    assert "链接已失效" in again


def test_a_tampered_link_is_refused_in_chinese(client, reporter):
    page = client.get("/accounts/password/reset/MQ/set-password-x/").content.decode()
    assert "链接已失效" in page
    assert 'href="/accounts/password/reset/"' in page


def test_reset_pages_carry_no_inline_script(client, db):
    for url in (RESET, "/accounts/password/reset/sent/", "/accounts/password/reset/done/"):
        page = client.get(url).content.decode()
        assert "<script>" not in page
        assert " onclick=" not in page
