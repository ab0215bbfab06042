"""The progress updates page by cursor (keyset): newest first, each page where the last
ended, no count; the small lists keep numbered pages with a count."""

import base64
from urllib.parse import quote

import pytest

from tasks.api.pagination import KeysetPagination
from tasks.tests.api.conftest import submitted


def _ids(body):
    return [row["id"] for row in body["results"]]


def test_updates_come_newest_first_and_next_leads_to_the_rest(filed, clients):
    first = clients.office.get("/api/v1/updates/?page_size=2").json()
    assert _ids(first) == [filed.lead_submitted.pk, filed.support_submitted.pk]
    assert first["previous"] is None
    assert "count" not in first  # counting 1.5 million rows is what the cursor avoids
    second = clients.office.get(first["next"]).json()
    assert _ids(second) == [filed.accepted.pk]
    assert second["next"] is None
    back = clients.office.get(second["previous"]).json()
    assert _ids(back) == [filed.lead_submitted.pk, filed.support_submitted.pk]


def test_ordering_by_id_gives_the_oldest_first(filed, clients):
    body = clients.office.get("/api/v1/updates/?ordering=id").json()
    assert _ids(body) == [filed.accepted.pk, filed.support_submitted.pk, filed.lead_submitted.pk]


def test_an_update_filed_between_two_pages_neither_repeats_nor_shifts_a_row(
    filed, clients, plan, personas
):
    first = clients.office.get("/api/v1/updates/?page_size=2").json()
    submitted(plan.tasks[1], filed.march, personas.support)  # 海口海关 leads task 2
    second = clients.office.get(first["next"]).json()
    assert _ids(second) == [filed.accepted.pk]


def test_a_page_number_on_the_cursor_list_is_refused_with_a_message(filed, clients):
    response = clients.office.get("/api/v1/updates/?page=2")
    assert response.status_code == 400
    assert "next" in response.json()["page"][0]


@pytest.mark.parametrize("decoded", ["p=abc", "p=-1", "p=1&r=x", "o=-5"])
def test_a_cursor_that_was_not_handed_out_is_not_found(filed, clients, decoded):
    cursor = quote(base64.b64encode(decoded.encode()).decode())
    response = clients.office.get(f"/api/v1/updates/?cursor={cursor}")
    assert response.status_code == 404
    assert "游标无效" in response.json()["detail"]


def test_the_page_size_of_the_updates_is_capped(filed, clients, monkeypatch):
    assert KeysetPagination.max_page_size == 200
    monkeypatch.setattr(KeysetPagination, "max_page_size", 2)
    assert len(clients.office.get("/api/v1/updates/?page_size=1000").json()["results"]) == 2


def test_the_task_list_keeps_numbered_pages_with_a_count(plan, clients):
    body = clients.member.get("/api/v1/tasks/?page_size=2&page=2").json()
    assert body["count"] == 3
    assert [row["number"] for row in body["results"]] == [3]
