"""Login throttling (django-axes): a username+address is locked after N wrong passwords."""

import datetime

from django.contrib.auth import get_user_model

from departments.models import Role
from departments.services import create_account
from pilot.testing.factories import make_user

LOCKED = "登录失败次数过多，账号已临时锁定，请15分钟后再试或联系联席会议办公室。"
PASSWORD = "pass-word-123"


def _login(client, password, username="lead", address="10.0.0.7"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def _fail(client, times, **kwargs):
    return [_login(client, "wrong-password", **kwargs).status_code for _ in range(times)]


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_after_5_wrong_passwords_the_right_one_is_refused_until_the_lock_ends(
    clock, personas, client
):
    assert _fail(client, 4) == [200, 200, 200, 200]  # the form's own error, four times
    fifth = _login(client, "wrong-password")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()

    refused = _login(client, PASSWORD)
    assert refused.status_code == 429
    assert LOCKED in refused.content.decode()
    assert not _signed_in(client)

    clock.shift(datetime.timedelta(minutes=14))
    assert _login(client, PASSWORD).status_code == 429
    assert not _signed_in(client)

    clock.shift(datetime.timedelta(minutes=1, seconds=1))
    accepted = _login(client, PASSWORD)
    assert accepted.status_code == 302
    assert _signed_in(client)


def test_the_lock_holds_one_username_from_one_address(clock, personas, client):
    _fail(client, 5)
    assert _login(client, PASSWORD, address="10.0.0.8").status_code == 302
    client.logout()
    assert _login(client, PASSWORD, username="support").status_code == 302


def test_the_limit_and_the_cool_off_come_from_settings(clock, personas, client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    assert _fail(client, 2) == [200, 429]
    assert _login(client, PASSWORD).status_code == 429


def test_a_right_password_before_the_limit_clears_the_count(clock, personas, client):
    _fail(client, 4)
    assert _login(client, PASSWORD).status_code == 302
    client.logout()
    assert _fail(client, 4) == [200, 200, 200, 200]
    assert _login(client, PASSWORD).status_code == 302


def test_office_staff_unlock_an_account_in_the_admin(clock, plan, client):
    lead = make_user("lead", Role.REPORTER, plan.commerce)
    _fail(client, 5)
    office, _password = create_account(username="office-admin", role=Role.OFFICE)
    admin = type(client)()
    admin.force_login(office)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    [attempt] = listing.context["cl"].queryset
    assert attempt.username == "lead"

    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert _login(client, PASSWORD).status_code == 302
    assert get_user_model().objects.get(pk=lead.pk).last_login is not None


def test_a_credential_check_outside_a_request_is_not_counted(personas):
    from django.contrib.auth import authenticate

    assert authenticate(username="lead", password=PASSWORD) == personas.lead


def test_the_lockout_page_is_the_portals_own_page(clock, personas, client):
    _fail(client, 5)
    page = _login(client, PASSWORD)
    assert "registration/locked_out.html" in [template.name for template in page.templates]
    assert 'href="/accounts/login/"' in page.content.decode()
