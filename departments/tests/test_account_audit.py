"""Account changes write audit rows: opening, role and password changes, in the admin too."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from departments.models import AccountEvent, AccountVerb, Profile, Role
from departments.services import create_account


@pytest.fixture
def office(plan):
    user, _password = create_account(username="office-admin", role=Role.OFFICE)
    client = Client()
    client.force_login(user)
    return user, client


def _events(username):
    return list(
        AccountEvent.objects.filter(account__username=username)
        .order_by("id")
        .values_list("verb", "actor__username", "detail")
    )


def test_opening_an_account_records_who_opened_it_and_the_role(clock, plan, personas):
    create_account(
        username="zhang", role=Role.REPORTER, department=plan.commerce, actor=personas.office
    )
    assert _events("zhang") == [(AccountVerb.CREATED, "office", "部门填报人 · 省商务厅")]


def test_an_account_opened_on_the_command_line_has_no_actor(clock, plan):
    create_account(username="li", role=Role.MEMBER)
    assert _events("li") == [(AccountVerb.CREATED, None, "联席会议成员（只读）")]


def test_changing_a_role_in_the_admin_is_recorded(clock, personas, office):
    _user, client = office
    profile = Profile.objects.get(user=personas.member)
    response = client.post(
        f"/admin/departments/profile/{profile.pk}/change/",
        {
            "user": personas.member.pk,
            "role": Role.REPORTER,
            "department": personas.lead.profile.department_id,
        },
    )
    assert response.status_code == 302, response.context["adminform"].errors
    [(verb, actor, detail)] = _events("member")
    assert (verb, actor) == (AccountVerb.ROLE_CHANGED, "office-admin")
    assert "角色" in detail


def test_deactivating_an_account_in_the_admin_is_recorded(clock, personas, office):
    _user, client = office
    page = client.get(f"/admin/auth/user/{personas.member.pk}/change/")
    data = {
        key: value
        for key, value in _form_data(page).items()
        if key != "is_active"  # unticked
    }
    response = client.post(f"/admin/auth/user/{personas.member.pk}/change/", data)
    assert response.status_code == 302, (
        response.context["adminform"].errors,
        [f.errors for f in response.context["inline_admin_formsets"][0].formset.forms],
    )
    [(verb, actor, _detail)] = _events("member")
    assert (verb, actor) == (AccountVerb.CHANGED, "office-admin")


def test_the_audit_trail_is_read_only_in_the_admin(clock, personas, office):
    user, client = office
    create_account(username="zhang", role=Role.MEMBER, actor=user)
    event = AccountEvent.objects.get(account__username="zhang")
    assert client.get("/admin/departments/accountevent/").status_code == 200
    assert client.get(f"/admin/departments/accountevent/{event.pk}/change/").status_code == 200
    client.post(f"/admin/departments/accountevent/{event.pk}/delete/", {"post": "yes"})
    assert AccountEvent.objects.filter(pk=event.pk).exists()


def _form_data(page) -> dict:
    """The values of the admin change form as the browser would send them back."""
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or name == "password":
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
            continue
        if isinstance(value, datetime.datetime):  # the admin splits date and time
            local = timezone.localtime(value)
            data[f"{name}_0"], data[f"{name}_1"] = f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}"
            continue
        data[name] = getattr(value, "pk", value)
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, 0)
        for inline_form in formset.formset.forms:
            for name, field in inline_form.fields.items():
                value = inline_form.initial.get(name, field.initial)
                if value is not None:
                    data[f"{inline_form.prefix}-{name}"] = getattr(value, "pk", value)
    return data
