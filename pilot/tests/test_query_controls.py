"""A control character in ?programme= (a NUL makes PostgreSQL refuse the lookup) is a bad
request, never a 500: every page that shows one programme looks it up (the review queue
and the report runs included, ``tasks.programme_choice``) and answers 400; the API refuses
it on the field."""

import pytest

pytestmark = pytest.mark.django_db

NUL = "?programme=%00"


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("office", "/tasks/"),
        ("office", "/dashboard/"),
        ("office", "/plan/export.xlsx"),
        ("office", "/review/"),
        ("office", "/reports/runs/"),
        ("lead", "/tasks/"),
        ("member", "/dashboard/"),
    ],
)
def test_pages_that_look_up_the_programme_refuse_a_nul_with_400(clients, persona, path):
    response = getattr(clients, persona).get(path + NUL)
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


@pytest.mark.parametrize("escape", ["%00", "%1b", "%7f"])
def test_the_task_list_refuses_any_control_character_in_the_programme(clients, escape):
    assert clients.office.get(f"/tasks/?programme={escape}").status_code == 400


def test_a_programme_code_without_controls_is_still_looked_up(clients, plan):
    assert clients.office.get(f"/tasks/?programme={plan.programme.code}").status_code == 200
    assert clients.office.get("/tasks/?programme=nope").status_code == 404


@pytest.mark.parametrize(
    "path", ["/api/v1/periods/current/", "/api/v1/tasks/", "/api/v1/periods/", "/api/v1/updates/"]
)
def test_the_api_refuses_a_nul_programme_on_the_field(clients, path):
    response = clients.office.get(path + NUL)
    assert response.status_code == 400
    assert "programme" in response.json()
