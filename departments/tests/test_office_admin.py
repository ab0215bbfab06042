"""Office staff manage the plan and reporter accounts in the admin, and nothing more."""

import pytest
from django.contrib.auth import get_user_model

from departments.models import Profile, Role
from departments.services import create_account
from pilot.testing.factories import make_user

User = get_user_model()


@pytest.fixture
def office_client(plan, client):
    user, _password = create_account(username="office-admin", role=Role.OFFICE)
    client.force_login(user)
    return client


def test_a_new_office_account_can_open_the_admin(office_client):
    assert office_client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/admin/tasks/task/",
        "/admin/tasks/assignment/",
        "/admin/tasks/reportingperiod/",
        "/admin/tasks/returnreason/",
        "/admin/departments/department/",
        "/admin/departments/departmentcontact/",
        "/admin/reports/distributionlist/",
        "/admin/django_celery_beat/periodictask/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
    ],
)
def test_office_staff_reach_what_they_manage(office_client, path):
    assert office_client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/admin/auth/group/", "/admin/knox/authtoken/"])
def test_office_staff_do_not_reach_groups_or_tokens_in_the_admin(office_client, path):
    assert office_client.get(path).status_code == 403


def test_office_staff_never_see_superusers_or_staff_accounts(office_client, personas):
    root = User.objects.create_superuser("root", password="pass-word-123")
    response = office_client.get("/admin/auth/user/")
    listed = {user.username for user in response.context["cl"].queryset}
    assert "root" not in listed
    assert "office" not in listed  # other office accounts are the administrator's
    assert {"lead", "support", "member"} <= listed
    assert office_client.get(f"/admin/auth/user/{root.pk}/change/").status_code == 302


def test_the_account_form_hides_the_privilege_fields_from_office_staff(office_client, personas):
    response = office_client.get(f"/admin/auth/user/{personas.lead.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert f'name="{field}"' not in html


def test_office_staff_cannot_make_a_reporter_into_office_staff(office_client, personas):
    profile = Profile.objects.get(user=personas.lead)
    response = office_client.post(
        f"/admin/departments/profile/{profile.pk}/change/",
        {"user": personas.lead.pk, "role": Role.OFFICE, "department": profile.department_id},
    )
    assert response.status_code == 200  # the form comes back with an error
    profile.refresh_from_db()
    assert profile.role == Role.REPORTER


def test_reporters_cannot_open_the_admin(plan):
    from django.test import Client

    client = Client()
    client.force_login(make_user("reporter-x", Role.REPORTER, plan.commerce))
    assert client.get("/admin/").status_code == 302


def test_the_menu_links_the_admin_for_office_staff_only(office_client, clients):
    assert "/admin/" in office_client.get("/").content.decode()
    assert "/admin/" not in clients.lead.get("/").content.decode()


def test_office_staff_do_not_see_drafts_in_the_admin(office_client, plan, personas, clock):
    from tasks.services import reporting

    draft = reporting.start_update(
        task=plan.tasks[0], period=plan.periods[(2021, 3)], actor=personas.lead
    )
    listed = office_client.get("/admin/tasks/progressupdate/").context["cl"].queryset
    assert draft not in listed
    response = office_client.get(f"/admin/tasks/progressupdate/{draft.pk}/change/")
    assert response.status_code == 302  # the admin's "does not exist" redirect
