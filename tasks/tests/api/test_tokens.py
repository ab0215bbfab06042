"""API tokens: each account issues and revokes its own; hashed, expiring, audited."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from knox.models import AuthToken

from departments.models import AccountEvent, AccountVerb, Role
from departments.services import create_account


def _token_client(key):
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def _issue(client):
    response = client.post("/api/v1/tokens/", "{}", "application/json")
    assert response.status_code == 201, response.content
    return response.json()


def _events(account):
    return list(
        AccountEvent.objects.filter(account=account)
        .order_by("id")
        .values_list("verb", "actor__username")
    )


def test_the_office_cannot_issue_a_token_for_a_reporter(clock, personas, clients):
    response = clients.office.post(
        "/api/v1/tokens/", json.dumps({"user": personas.lead.pk}), "application/json"
    )
    assert response.status_code == 400
    assert not AuthToken.objects.filter(user=personas.lead).exists()


def test_a_token_acts_for_the_account_that_issued_it(clock, personas, clients):
    key = _issue(clients.lead)["key"]
    response = _token_client(key).get("/api/v1/tokens/")
    assert [row["username"] for row in response.json()["results"]] == ["lead"]


def test_the_key_is_shown_once_and_stored_only_as_a_hash(clock, personas, clients):
    issued = _issue(clients.lead)
    token = AuthToken.objects.get(user=personas.lead)
    assert issued["token_key"] == token.token_key == issued["key"][:15]
    assert issued["key"] not in (token.digest, token.token_key)
    listed = clients.lead.get("/api/v1/tokens/").json()["results"]
    assert "key" not in listed[0]


def test_a_token_expires_after_the_configured_days(clock, personas, clients, settings):
    issued = _issue(clients.lead)
    assert issued["expiry"].startswith("2021-06-08T")  # 2021-03-10 + 90 days
    client = _token_client(issued["key"])
    clock.shift(datetime.timedelta(days=89, hours=23))
    assert client.get("/api/v1/tasks/").status_code == 200
    clock.shift(datetime.timedelta(hours=2))
    response = client.get("/api/v1/tasks/")
    assert response.status_code == 401
    assert response.json() == {"detail": "令牌无效或已过期。"}
    assert AuthToken.objects.filter(user=personas.lead).exists()  # a GET never writes


def test_issuing_and_revoking_write_audit_rows(clock, personas, clients):
    issued = _issue(clients.lead)
    clients.lead.delete(f"/api/v1/tokens/{issued['token_key']}/")
    assert _events(personas.lead) == [
        (AccountVerb.TOKEN_ISSUED, "lead"),
        (AccountVerb.TOKEN_REVOKED, "lead"),
    ]
    issued_event = AccountEvent.objects.filter(verb=AccountVerb.TOKEN_ISSUED).get()
    assert issued_event.detail == f"令牌 {issued['token_key'][:8]}…，有效期至 2021-06-08 10:00"
    assert issued["key"] not in issued_event.detail


def test_another_account_cannot_revoke_my_token(clock, personas, clients):
    issued = _issue(clients.lead)
    response = clients.office.delete(f"/api/v1/tokens/{issued['token_key']}/")
    assert response.status_code == 404
    assert _token_client(issued["key"]).get("/api/v1/tasks/").status_code == 200


def test_a_token_cannot_issue_its_own_successor(clock, personas, clients):
    issued = _issue(clients.lead)
    response = _token_client(issued["key"]).post("/api/v1/tokens/", "{}", "application/json")
    assert response.status_code == 403
    assert response.json() == {"detail": "请登录门户后签发接口令牌（令牌不能签发新令牌）。"}
    assert list(AuthToken.objects.values_list("token_key", flat=True)) == [issued["token_key"]]


def test_changing_the_password_revokes_every_token(clock, personas, clients):
    key = _issue(clients.lead)["key"]
    response = clients.lead.post(
        "/accounts/password/",
        {
            "old_password": "pass-word-123",
            "new_password1": "a-new-long-secret-7",
            "new_password2": "a-new-long-secret-7",
        },
    )
    assert response.status_code == 302
    assert _token_client(key).get("/api/v1/tasks/").status_code == 401
    assert not AuthToken.objects.filter(user=personas.lead).exists()
    assert _events(personas.lead)[1:] == [
        (AccountVerb.TOKEN_REVOKED, None),
        (AccountVerb.PASSWORD_CHANGED, "lead"),
    ]


def test_a_password_set_in_the_admin_revokes_the_tokens_too(clock, plan, personas, clients):
    key = _issue(clients.lead)["key"]
    office, _password = create_account(username="office-admin", role=Role.OFFICE)
    admin = Client()
    admin.force_login(office)
    response = admin.post(
        f"/admin/auth/user/{personas.lead.pk}/password/",
        {"password1": "a-new-long-secret-7", "password2": "a-new-long-secret-7"},
    )
    assert response.status_code == 302
    assert _token_client(key).get("/api/v1/tasks/").status_code == 401
    assert _events(personas.lead)[-1] == (AccountVerb.PASSWORD_CHANGED, "office-admin")


def test_a_token_stops_working_when_its_account_is_deactivated(clock, personas, clients):
    key = _issue(clients.lead)["key"]
    personas.lead.is_active = False
    personas.lead.save(update_fields=["is_active"])
    assert _token_client(key).get("/api/v1/tasks/").status_code == 401


def test_a_token_stops_working_when_its_account_is_made_an_administrator(clock, personas, clients):
    key = _issue(clients.lead)["key"]
    personas.lead.is_superuser = True
    personas.lead.save(update_fields=["is_superuser"])
    assert _token_client(key).get("/api/v1/tasks/").status_code == 401


def test_a_malformed_token_is_refused_with_401(clock, personas):
    for key in ("zz", "é" * 20, "0" * 64):
        assert _token_client(key).get("/api/v1/tasks/").status_code == 401


def test_the_command_issues_a_token_and_writes_an_audit_row(clock, personas):
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", "lead", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert len(key) == 64
    assert _token_client(key).get("/api/v1/tasks/").status_code == 200
    assert "有效期至 2021-06-08 10:00" in err.getvalue()
    assert _events(personas.lead) == [(AccountVerb.TOKEN_ISSUED, None)]


def test_the_command_refuses_an_unknown_account(db):
    with pytest.raises(CommandError, match="没有用户名为“nobody”的账号"):
        call_command("issue_api_token", "nobody")


# --- throttling ----------------------------------------------------------------------


def test_the_api_answers_429_in_chinese_past_the_rate_and_recovers(
    clock, personas, clients, settings
):
    settings.API_THROTTLE_RATES = {"anon": "2/min", "user": "3/min"}
    codes = [clients.lead.get("/api/v1/return-reasons/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = clients.lead.get("/api/v1/return-reasons/")
    assert refused.json() == {"detail": "请求过于频繁，请 60 秒后再试。"}
    assert refused["Retry-After"] == "60"
    assert clients.support.get("/api/v1/return-reasons/").status_code == 200  # per account

    clock.shift(datetime.timedelta(seconds=61))
    assert clients.lead.get("/api/v1/return-reasons/").status_code == 200


def test_anonymous_clients_are_throttled_by_address(clock, clients, settings):
    settings.API_THROTTLE_RATES = {"anon": "2/min", "user": "3/min"}
    codes = [clients.anonymous.get("/api/v1/tasks/").status_code for _ in range(3)]
    assert codes == [401, 401, 429]


def test_wrong_tokens_are_throttled_by_address(clock, db, settings):
    settings.API_THROTTLE_RATES = {"anon": "2/min", "user": "3/min"}
    client = _token_client("0" * 64)
    codes = [client.get("/api/v1/tasks/").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
