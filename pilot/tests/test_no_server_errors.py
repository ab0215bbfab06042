"""Junk typed into a URL or posted by hand gets a 4xx or a page, never a 500.

Every page of the portal, as every persona, with query strings and form posts that no
form of ours would send. The API has its own property-based run (tasks/tests/api).
"""

import pytest

JUNK_QUERIES = [
    "",
    "?period=abc",
    "?period=-1",
    "?period=999999",
    "?programme=nope",
    "?page=-5",
    "?page=abc&sort=%27%3B--",
    "?category=x&department=%00&status=zzz&role=boss&colour=pink&state=gone",
    "?q=" + "长" * 500,
    "?format=pdf",
]

PAGES = [
    "/",
    "/review/",
    "/review/{update}/",
    "/tasks/",
    "/tasks/{task}/",
    "/tasks/{task}/periods/{period}/update/",
    "/dashboard/",
    "/dashboard/programmes/",
    "/dashboard/departments/{department}/",
    "/reports/runs/",
    "/plan/export.xlsx",
]

POSTS = [
    ("/review/{update}/accept/", {}),
    ("/review/{update}/return/", {"reasons": ["abc", "-1"], "comment": "x" * 10_000}),
    ("/review/bulk-accept/", {"ids": ["x", "99999"], "confirm": "yes"}),
    ("/tasks/{task}/name-body/", {"collective": "abc", "department": ""}),
    ("/tasks/{task}/confirm-completion/", {"unexpected": "1"}),
    (
        "/tasks/{task}/periods/{period}/update/",
        {"status": "nope", "percent": "1e9", "version": "abc", "action": "explode"},
    ),
    ("/updates/{update}/return-input/", {"comment": ""}),
    ("/reports/runs/request/", {"kind": "nonsense", "period": "abc"}),
    ("/evidence/999999/delete/", {}),
    ("/plan/tasks/{task}/retire/", {"effective": "2021-99", "reason": "\x00"}),
    (
        "/plan/tasks/{task}/split/",
        {"count": "abc", "part1-leads": ["x", "-1"], "part2-due_on": "明天", "add_part": ""},
    ),
    ("/plan/tasks/{task}/split/", {"count": "99999", "add_part": "1", "part9-leads": ["x"]}),
    ("/plan/tasks/{task}/merge/", {"numbers": "1e9、-3", "due_on": "0000-00-00"}),
    ("/plan/tasks/{task}/merge/", {"numbers": "99999999999999999999"}),
]

PERSONAS = ["office", "lead", "support", "outsider", "member", "anonymous"]


@pytest.fixture
def ids(plan, personas, clock):
    from tasks.services import reporting

    task, period = plan.tasks[0], plan.periods[(2021, 3)]
    update = reporting.start_update(task=task, period=period, actor=personas.lead)
    return {"task": task.pk, "period": period.pk, "update": update.pk, "department": 1}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES)
def test_pages_answer_junk_query_strings_without_a_server_error(clients, ids, persona, page):
    client = getattr(clients, persona)
    for query in JUNK_QUERIES:
        response = client.get(page.format(**ids) + query)
        assert response.status_code < 500, (page, query, response.status_code)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "data"), POSTS)
def test_forms_answer_junk_posts_without_a_server_error(clients, ids, persona, url, data):
    response = getattr(clients, persona).post(url.format(**ids), data)
    assert response.status_code < 500, (url, response.status_code)
