"""Every rule of pilot/permissions.py as a table: (persona, situation, expected), by hand.

Personas (conftest): office staff; ``lead`` reports for 省商务厅, which leads task 1;
``support`` reports for 海口海关, which supports task 1; ``outsider`` reports for 省委网信办,
which holds no part of task 1; a read-only ``member``; and ``anonymous``.

Situations on task 1 (one update each, see the ``updates`` fixture):
  lead_draft, lead_submitted, lead_returned, lead_accepted — 省商务厅's lead updates
  support_draft, support_submitted, support_returned, support_accepted — 海口海关's input
The second half of the file types URLs by hand and checks that nothing leaks over HTTP.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from departments.models import Role
from pilot import permissions
from pilot.testing.factories import (
    PeriodFactory,
    ProgrammeFactory,
    UpdateFactory,
    UserFactory,
    make_user,
)
from tasks.models import AssignmentRole, Evidence, ProgressUpdate, TaskStatus, UpdateState
from tasks.services import reporting

pytestmark = pytest.mark.django_db

PERSONAS = ("office", "lead", "support", "outsider", "member", "anonymous")
LEAD, SUPPORT = AssignmentRole.LEAD, AssignmentRole.SUPPORT
# situation -> (role, state, month of 2021): one period per state keeps the rows unique.
SITUATIONS = {
    "lead_draft": (LEAD, UpdateState.DRAFT, 3),
    "lead_submitted": (LEAD, UpdateState.SUBMITTED, 4),
    "lead_returned": (LEAD, UpdateState.RETURNED, 5),
    "lead_accepted": (LEAD, UpdateState.ACCEPTED, 2),
    "support_draft": (SUPPORT, UpdateState.DRAFT, 3),
    "support_submitted": (SUPPORT, UpdateState.SUBMITTED, 4),
    "support_returned": (SUPPORT, UpdateState.RETURNED, 5),
    "support_accepted": (SUPPORT, UpdateState.ACCEPTED, 2),
}


@pytest.fixture
def who(personas):
    """Turn a persona's name into its user (an AnonymousUser for ``anonymous``)."""

    def resolve(name):
        return AnonymousUser() if name == "anonymous" else getattr(personas, name)

    return resolve


@pytest.fixture
def updates(plan):
    """Create every situation's update on task 1; return them by name."""
    made = {}
    for name, (role, state, month) in SITUATIONS.items():
        made[name] = UpdateFactory(
            task=plan.tasks[0],
            period=plan.periods[(2021, month)],
            department=plan.commerce if role == LEAD else plan.customs,
            role=role,
            state=state,
        )
    return SimpleNamespace(**made)


# --- who is who ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("office", Role.OFFICE),
        ("lead", Role.REPORTER),
        ("support", Role.REPORTER),
        ("outsider", Role.REPORTER),
        ("member", Role.MEMBER),
        ("anonymous", None),
    ],
)
def test_role_of(who, persona, expected):
    assert permissions.role_of(who(persona)) == expected


def test_role_of_a_superuser_is_admin_and_of_an_inactive_user_none(db):
    root = make_user("root", Role.MEMBER)
    root.is_superuser = True
    gone = make_user("gone", Role.OFFICE)
    gone.is_active = False
    assert (permissions.role_of(root), permissions.role_of(gone)) == (Role.ADMIN, None)


@pytest.mark.parametrize(
    ("persona", "office", "member", "reporter"),
    [
        ("office", True, False, False),
        ("lead", False, False, True),
        ("support", False, False, True),
        ("outsider", False, False, True),
        ("member", False, True, False),
        ("anonymous", False, False, False),
    ],
)
def test_is_office_is_member_is_reporter(who, persona, office, member, reporter):
    user = who(persona)
    assert permissions.is_office(user) is office
    assert permissions.is_member(user) is member
    assert permissions.is_reporter(user) is reporter


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("office", None),
        ("lead", "省商务厅"),
        ("support", "海口海关"),
        ("outsider", "省委网信办"),
        ("member", None),
        ("anonymous", None),
    ],
)
def test_reporter_department(who, persona, expected):
    department = permissions.reporter_department(who(persona))
    assert (department.name if department else None) == expected


@pytest.mark.parametrize(
    ("persona", "dashboards", "review"),
    [
        ("office", True, True),
        ("lead", True, False),
        ("support", True, False),
        ("outsider", True, False),
        ("member", True, False),
        ("anonymous", False, False),
    ],
)
def test_role_flags_for_menus(who, persona, dashboards, review):
    flags = permissions.role_flags(who(persona))
    assert (flags["dashboards"], flags["review"]) == (dashboards, review)


# --- reading ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("office", True),
        ("lead", True),
        ("support", True),
        ("outsider", True),
        ("member", True),
        ("anonymous", False),
    ],
)
def test_can_use_portal(who, persona, expected):
    assert permissions.can_use_portal(who(persona)) is expected


def test_a_signed_in_user_without_a_role_cannot_use_the_portal(db):
    assert permissions.can_use_portal(UserFactory(username="nobody")) is False


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("office", True),
        ("lead", True),
        ("support", True),
        ("outsider", True),
        ("member", True),
        ("anonymous", False),
    ],
)
def test_can_view_dashboards(who, persona, expected):
    assert permissions.can_view_dashboards(who(persona)) is expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("office", True),
        ("lead", True),  # its own department
        ("support", False),
        ("outsider", False),
        ("member", True),
        ("anonymous", False),
    ],
)
def test_can_view_department_dashboard_of_commerce(plan, who, persona, expected):
    assert permissions.can_view_department_dashboard(who(persona), plan.commerce) is expected


VIEW_UPDATE_ROWS = [
    ("office", "lead_draft", False),
    ("office", "lead_submitted", True),
    ("office", "lead_returned", True),
    ("office", "lead_accepted", True),
    ("office", "support_draft", False),
    ("office", "support_submitted", True),
    ("office", "support_returned", True),
    ("office", "support_accepted", True),
    ("lead", "lead_draft", True),
    ("lead", "lead_submitted", True),
    ("lead", "lead_returned", True),
    ("lead", "lead_accepted", True),
    ("lead", "support_draft", False),
    ("lead", "support_submitted", True),
    ("lead", "support_returned", True),
    ("lead", "support_accepted", True),
    ("support", "lead_draft", False),
    ("support", "lead_submitted", False),
    ("support", "lead_returned", False),
    ("support", "lead_accepted", True),
    ("support", "support_draft", True),
    ("support", "support_submitted", True),
    ("support", "support_returned", True),
    ("support", "support_accepted", True),
    ("outsider", "lead_draft", False),
    ("outsider", "lead_submitted", False),
    ("outsider", "lead_returned", False),
    ("outsider", "lead_accepted", True),
    ("outsider", "support_draft", False),
    ("outsider", "support_submitted", False),
    ("outsider", "support_returned", False),
    ("outsider", "support_accepted", True),
    ("member", "lead_draft", False),
    ("member", "lead_submitted", False),
    ("member", "lead_returned", False),
    ("member", "lead_accepted", True),
    ("member", "support_draft", False),
    ("member", "support_submitted", False),
    ("member", "support_returned", False),
    ("member", "support_accepted", True),
    ("anonymous", "lead_draft", False),
    ("anonymous", "lead_accepted", False),
    ("anonymous", "support_accepted", False),
]


@pytest.mark.parametrize(("persona", "situation", "expected"), VIEW_UPDATE_ROWS)
def test_can_view_update(updates, who, persona, situation, expected):
    assert permissions.can_view_update(who(persona), getattr(updates, situation)) is expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (
            "office",
            {
                "lead_submitted",
                "lead_returned",
                "lead_accepted",
                "support_submitted",
                "support_returned",
                "support_accepted",
            },
        ),
        (
            "lead",
            {
                "lead_draft",
                "lead_submitted",
                "lead_returned",
                "lead_accepted",
                "support_submitted",
                "support_returned",
                "support_accepted",
            },
        ),
        (
            "support",
            {
                "lead_accepted",
                "support_draft",
                "support_submitted",
                "support_returned",
                "support_accepted",
            },
        ),
        ("outsider", {"lead_accepted", "support_accepted"}),
        ("member", {"lead_accepted", "support_accepted"}),
        ("anonymous", set()),
    ],
)
def test_visible_updates_filters_in_sql_as_can_view_update_decides(updates, who, persona, expected):
    names = {update.pk: name for name, update in vars(updates).items()}
    visible = permissions.visible_updates(who(persona), ProgressUpdate.objects.all())
    assert {names[pk] for pk in visible.values_list("pk", flat=True)} == expected


@pytest.mark.parametrize(
    ("persona", "situation", "expected"),
    [
        ("office", "lead_draft", False),
        ("office", "support_draft", False),
        ("lead", "lead_draft", True),
        ("lead", "support_submitted", True),
        ("support", "lead_draft", False),
        ("support", "lead_accepted", True),
        ("outsider", "lead_draft", False),
        ("outsider", "lead_submitted", False),
        ("outsider", "lead_accepted", True),
        ("member", "lead_submitted", False),
        ("member", "lead_accepted", True),
        ("anonymous", "lead_accepted", False),
    ],
)
def test_can_download_evidence(updates, who, persona, situation, expected):
    evidence = Evidence(update=getattr(updates, situation), original_name="报告.pdf")
    assert permissions.can_download_evidence(who(persona), evidence) is expected


# --- writing ---------------------------------------------------------------------------


@pytest.fixture
def filing(plan):
    """Tasks and periods for can_file_update, by situation name."""
    march = plan.periods[(2021, 3)]
    closed = plan.periods[(2021, 1)]
    closed.is_open = False
    closed.save(update_fields=["is_open"])
    confirmed = plan.tasks[1]  # 海口海关 leads, 省商务厅 supports
    confirmed.completion_confirmed_at = datetime.datetime(2021, 3, 1, tzinfo=datetime.UTC)
    confirmed.save(update_fields=["completion_confirmed_at"])
    other_programme = PeriodFactory(programme=ProgrammeFactory(code="other"), year=2021, month=3)
    return {
        "task1_open": (plan.tasks[0], march),
        "task1_closed_period": (plan.tasks[0], closed),
        "task1_other_programmes_period": (plan.tasks[0], other_programme),
        "task2_confirmed_complete": (confirmed, march),
        "task3_open": (plan.tasks[2], march),
    }


@pytest.mark.parametrize(
    ("persona", "situation", "expected"),
    [
        ("office", "task1_open", False),
        ("lead", "task1_open", True),
        ("support", "task1_open", True),
        ("outsider", "task1_open", False),
        ("member", "task1_open", False),
        ("anonymous", "task1_open", False),
        ("lead", "task1_closed_period", False),
        ("lead", "task1_other_programmes_period", False),
        ("lead", "task2_confirmed_complete", False),
        ("support", "task2_confirmed_complete", False),
        ("lead", "task3_open", True),  # a second lead unit of task 3
        ("support", "task3_open", False),
    ],
)
def test_can_file_update(filing, who, persona, situation, expected):
    task, period = filing[situation]
    assert permissions.can_file_update(who(persona), task, period) is expected


@pytest.mark.parametrize(
    ("persona", "situation", "expected"),
    [
        ("lead", "lead_draft", True),
        ("lead", "lead_returned", True),
        ("lead", "lead_submitted", False),
        ("lead", "lead_accepted", False),
        ("lead", "support_draft", False),
        ("lead", "support_returned", False),
        ("support", "support_draft", True),
        ("support", "support_returned", True),
        ("support", "support_submitted", False),
        ("support", "lead_draft", False),
        ("outsider", "lead_draft", False),
        ("office", "lead_draft", False),
        ("office", "lead_returned", False),
        ("member", "lead_draft", False),
        ("anonymous", "lead_draft", False),
    ],
)
def test_can_edit_update(updates, who, persona, situation, expected):
    assert permissions.can_edit_update(who(persona), getattr(updates, situation)) is expected


@pytest.mark.parametrize(
    ("persona", "situation", "expected"),
    [
        ("lead", "lead_submitted", True),
        ("lead", "lead_draft", False),
        ("lead", "lead_returned", False),
        ("lead", "lead_accepted", False),
        ("lead", "support_submitted", False),  # the lead returns an input, never withdraws it
        ("support", "support_submitted", True),
        ("support", "support_returned", False),
        ("support", "lead_submitted", False),
        ("outsider", "lead_submitted", False),
        ("office", "lead_submitted", False),
        ("member", "lead_submitted", False),
        ("anonymous", "lead_submitted", False),
    ],
)
def test_can_withdraw_update(updates, who, clock, persona, situation, expected):
    clock.move_to(datetime.datetime(2021, 4, 10, 10, tzinfo=datetime.UTC))  # April is open
    assert permissions.can_withdraw_update(who(persona), getattr(updates, situation)) is expected


def test_nobody_withdraws_an_update_once_its_period_is_closed(updates, personas, clock):
    clock.move_to(datetime.datetime(2021, 4, 10, 10, tzinfo=datetime.UTC))
    period = updates.lead_submitted.period
    period.is_open = False
    period.save(update_fields=["is_open"])
    assert permissions.can_withdraw_update(personas.lead, updates.lead_submitted) is False


def test_nobody_edits_an_update_once_its_period_is_closed(updates, personas):
    period = updates.lead_draft.period
    period.is_open = False
    period.save(update_fields=["is_open"])
    assert permissions.can_edit_update(personas.lead, updates.lead_draft) is False


@pytest.mark.parametrize(
    ("persona", "situation", "expected"),
    [
        ("office", "lead_submitted", True),
        ("office", "lead_draft", False),
        ("office", "lead_returned", False),
        ("office", "lead_accepted", False),
        ("office", "support_submitted", False),  # the lead unit handles its inputs
        ("lead", "lead_submitted", False),
        ("support", "lead_submitted", False),
        ("outsider", "lead_submitted", False),
        ("member", "lead_submitted", False),
        ("anonymous", "lead_submitted", False),
    ],
)
def test_can_review_update(updates, who, persona, situation, expected):
    assert permissions.can_review_update(who(persona), getattr(updates, situation)) is expected


@pytest.mark.parametrize(
    ("persona", "situation", "expected"),
    [
        ("lead", "support_submitted", True),
        ("lead", "support_draft", False),
        ("lead", "support_returned", False),
        ("lead", "support_accepted", False),
        ("lead", "lead_submitted", False),
        ("support", "support_submitted", False),  # not its own input
        ("office", "support_submitted", False),
        ("outsider", "support_submitted", False),
        ("member", "support_submitted", False),
        ("anonymous", "support_submitted", False),
    ],
)
def test_can_return_input(updates, who, persona, situation, expected):
    assert permissions.can_return_input(who(persona), getattr(updates, situation)) is expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("office", set()),
        ("lead", {"support_submitted"}),
        ("support", set()),
        ("outsider", set()),
        ("member", set()),
        ("anonymous", set()),
    ],
)
def test_returnable_inputs_agrees_with_can_return_input(updates, who, persona, expected):
    names = {update.pk: name for name, update in vars(updates).items()}
    returnable = permissions.returnable_inputs(who(persona), list(vars(updates).values()))
    assert {names[pk] for pk in returnable} == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("office", True),
        ("lead", False),
        ("support", False),
        ("outsider", False),
        ("member", False),
        ("anonymous", False),
    ],
)
def test_can_use_review_queue(who, persona, expected):
    assert permissions.can_use_review_queue(who(persona)) is expected


@pytest.mark.parametrize(
    ("persona", "situation", "expected"),
    [
        ("office", "lead_submitted", True),
        ("office", "lead_accepted", True),
        ("office", "lead_draft", False),
        ("office", "support_submitted", True),
        ("office", "support_draft", False),
        ("lead", "lead_submitted", False),
        ("support", "lead_submitted", False),
        ("outsider", "lead_submitted", False),
        ("member", "lead_accepted", False),
        ("anonymous", "lead_accepted", False),
    ],
)
def test_can_open_review(updates, who, persona, situation, expected):
    assert permissions.can_open_review(who(persona), getattr(updates, situation)) is expected


@pytest.mark.parametrize(
    ("persona", "situation", "expected"),
    [
        ("office", "completed", True),
        ("office", "on_track", False),
        ("office", "completed_and_confirmed", False),
        ("lead", "completed", False),
        ("support", "completed", False),
        ("outsider", "completed", False),
        ("member", "completed", False),
        ("anonymous", "completed", False),
    ],
)
def test_can_confirm_completion(plan, who, persona, situation, expected):
    task = plan.tasks[0]
    task.status = TaskStatus.ON_TRACK if situation == "on_track" else TaskStatus.COMPLETED
    if situation == "completed_and_confirmed":
        task.completion_confirmed_at = datetime.datetime(2021, 3, 1, tzinfo=datetime.UTC)
    assert permissions.can_confirm_completion(who(persona), task) is expected


# Rules that depend on the persona alone: (rule, office, lead, support, outsider, member, anon).
PERSONA_ONLY_RULES = [
    ("can_manage_plan", True, False, False, False, False, False),
    ("can_import_plan", True, False, False, False, False, False),
    ("can_view_plan_changes", True, False, False, False, True, False),
    ("can_request_report", True, False, False, False, False, False),
    ("can_view_reports", True, False, False, False, True, False),
    ("can_start_updates", False, True, True, True, False, False),
    ("can_hold_api_token", True, True, True, True, True, False),
    ("can_view_scores", True, True, True, True, True, False),
    ("can_view_all_scores", True, False, False, False, True, False),
    ("can_edit_score_formula", True, False, False, False, False, False),
    ("can_publish_scores", True, False, False, False, False, False),
    ("can_export_scores", True, False, False, False, True, False),
    ("can_manage_meetings", True, False, False, False, False, False),
    ("can_view_meetings", True, False, False, False, True, False),
]


@pytest.mark.parametrize(
    ("rule", "persona", "expected"),
    [
        (rule, persona, expected)
        for rule, *answers in PERSONA_ONLY_RULES
        for persona, expected in zip(PERSONAS, answers, strict=True)
    ],
)
def test_persona_only_rules(who, rule, persona, expected):
    assert getattr(permissions, rule)(who(persona)) is expected


def test_each_account_issues_tokens_only_for_itself(personas):
    assert permissions.can_issue_api_token(personas.lead, personas.lead) is True
    assert permissions.can_issue_api_token(personas.office, personas.lead) is False
    assert permissions.can_issue_api_token(personas.lead, personas.support) is False


def test_each_account_revokes_only_its_own_tokens(personas):
    from knox.models import AuthToken

    token, _key = AuthToken.objects.create(user=personas.lead)
    assert permissions.can_revoke_api_token(personas.lead, token) is True
    assert permissions.can_revoke_api_token(personas.office, token) is False
    assert permissions.can_revoke_api_token(personas.support, token) is False


def test_no_api_token_for_a_superuser_or_an_inactive_account(db):
    root = make_user("root", Role.OFFICE)
    root.is_superuser = True
    gone = make_user("gone", Role.MEMBER)
    gone.is_active = False
    assert permissions.can_hold_api_token(root) is False
    assert permissions.can_hold_api_token(gone) is False


# --- over HTTP: typed-in URLs get 403/404 or the login page, never the data -----------------

SECRET = "省商务厅尚未提交的草稿内容"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def lead_draft(plan, personas, clock):
    """省商务厅's draft for task 1, March, with text and a PDF nobody else may see."""
    update = reporting.start_update(
        task=plan.tasks[0], period=plan.periods[(2021, 3)], actor=personas.lead
    )
    data = {
        "status": TaskStatus.ON_TRACK,
        "percent": 20,
        "work_done": SECRET,
        "next_steps": "下月完成。",
        "problems": "",
        "needs_coordination": False,
    }
    update = reporting.save_update(
        update=update, actor=personas.lead, data=data, expected_version=1
    )
    upload = SimpleUploadedFile("内部材料.pdf", PDF, content_type="application/pdf")
    evidence = reporting.add_evidence(update=update, actor=personas.lead, upload=upload)
    return SimpleNamespace(update=update, evidence=evidence)


def _refused(response, *statuses):
    body = response.content.decode(errors="replace")
    return response.status_code in statuses and SECRET not in body and "%PDF" not in body


def test_outsider_typing_the_lead_units_form_url_gets_403(plan, clients, lead_draft):
    url = reverse("update-form", args=[plan.tasks[0].pk, plan.periods[(2021, 3)].pk])
    assert _refused(clients.outsider.get(url), 403, 404)


def test_outsider_typing_the_review_url_of_the_draft_gets_403(clients, lead_draft):
    url = reverse("review-update", args=[lead_draft.update.pk])
    assert _refused(clients.outsider.get(url), 403)


def test_outsider_typing_the_evidence_url_gets_404(clients, lead_draft):
    url = reverse("evidence-download", args=[lead_draft.evidence.pk])
    assert _refused(clients.outsider.get(url), 404)


def test_supporting_reporter_cannot_download_the_lead_units_draft_evidence(clients, lead_draft):
    url = reverse("evidence-download", args=[lead_draft.evidence.pk])
    assert _refused(clients.support.get(url), 404)


def test_outsider_sees_the_task_page_without_the_draft(plan, clients, lead_draft):
    response = clients.outsider.get(reverse("task-detail", args=[plan.tasks[0].pk]))
    assert response.status_code == 200
    assert SECRET not in response.content.decode()
    assert "内部材料.pdf" not in response.content.decode()


@pytest.mark.parametrize("persona", ["lead", "support", "outsider", "member"])
def test_only_the_office_opens_the_review_queue(clients, persona):
    assert getattr(clients, persona).get(reverse("review-queue")).status_code == 403


def test_member_posting_accept_gets_403_and_nothing_changes(plan, personas, clients, lead_draft):
    update = reporting.submit_update(
        update=lead_draft.update, actor=personas.lead, expected_version=lead_draft.update.version
    )
    response = clients.member.post(reverse("review-accept", args=[update.pk]))
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED


def test_lead_reporter_cannot_return_its_own_update_through_the_office_url(
    personas, clients, lead_draft
):
    update = reporting.submit_update(
        update=lead_draft.update, actor=personas.lead, expected_version=lead_draft.update.version
    )
    response = clients.lead.post(
        reverse("review-return", args=[update.pk]), {"comment": "自己退回"}
    )
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED


def test_reporter_cannot_bulk_accept(clients, lead_draft):
    response = clients.lead.post(
        reverse("review-bulk-accept"), {"scope": "filtered", "confirm": "yes"}
    )
    assert response.status_code == 403


def test_member_cannot_confirm_completion(plan, clients):
    task = plan.tasks[0]
    task.status = TaskStatus.COMPLETED
    task.save(update_fields=["status"])
    response = clients.member.post(reverse("task-confirm-completion", args=[task.pk]))
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.completion_confirmed_at is None


@pytest.mark.parametrize(
    "url_name", ["review-queue", "review-update", "task-detail", "update-form", "evidence"]
)
def test_anonymous_visitor_is_sent_to_the_login_page(plan, clients, lead_draft, url_name):
    urls = {
        "review-queue": reverse("review-queue"),
        "review-update": reverse("review-update", args=[lead_draft.update.pk]),
        "task-detail": reverse("task-detail", args=[plan.tasks[0].pk]),
        "update-form": reverse("update-form", args=[plan.tasks[0].pk, plan.periods[(2021, 3)].pk]),
        "evidence": reverse("evidence-download", args=[lead_draft.evidence.pk]),
    }
    response = clients.anonymous.get(urls[url_name])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_post_to_accept_is_sent_to_the_login_page(personas, clients, lead_draft):
    update = reporting.submit_update(
        update=lead_draft.update, actor=personas.lead, expected_version=lead_draft.update.version
    )
    response = clients.anonymous.post(reverse("review-accept", args=[update.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED


# --- extensions (延期申请) and supervision slips (督办单) -------------------------------------
# Situations on task 1, all from or to 省商务厅 (its lead unit): an extension request in each
# state, and a slip in each status.


def _extension(plan, personas, state, task=None):
    from tasks.models import Extension

    return Extension.objects.create(
        task=task or plan.tasks[0],
        department=plan.commerce,
        state=state,
        current_due_on=datetime.date(2021, 6, 30),
        requested_due_on=datetime.date(2021, 9, 30),
        reason="理由",
        requested_at=datetime.datetime(2021, 3, 1, tzinfo=datetime.UTC),
        requested_by=personas.lead,
    )


def _slip(plan, status, number=1):
    from tasks.models import SupervisionSlip

    return SupervisionSlip.objects.create(
        task=plan.tasks[0],
        department=plan.commerce,
        level="blue",
        year=2021,
        number=number,
        origin="hand",
        reason="请加快推进。",
        issued_on=datetime.date(2021, 3, 1),
        issued_at=datetime.datetime(2021, 3, 1, tzinfo=datetime.UTC),
        response_due=datetime.date(2021, 3, 8),
        status=status,
    )


@pytest.mark.parametrize(
    ("persona", "on_task_1", "on_task_2"),
    [
        ("office", False, False),
        ("lead", True, False),  # 省商务厅 leads task 1, supports task 2
        ("support", False, True),  # 海口海关 supports task 1, leads task 2
        ("outsider", False, False),
        ("member", False, False),
        ("anonymous", False, False),
    ],
)
def test_can_request_extension(plan, who, persona, on_task_1, on_task_2):
    user = who(persona)
    assert permissions.can_request_extension(user, plan.tasks[0]) is on_task_1
    assert permissions.can_request_extension(user, plan.tasks[1]) is on_task_2


def test_no_extension_request_for_a_confirmed_task(plan, personas):
    task = plan.tasks[0]
    task.completion_confirmed_at = datetime.datetime(2021, 3, 1, tzinfo=datetime.UTC)
    assert permissions.can_request_extension(personas.lead, task) is False


@pytest.mark.parametrize(
    ("persona", "pending", "more_info", "approved", "rejected"),
    [
        ("office", True, True, True, True),
        ("lead", True, True, True, True),  # its own requests
        ("support", False, False, True, False),
        ("outsider", False, False, True, False),
        ("member", False, False, True, False),
        ("anonymous", False, False, False, False),
    ],
)
def test_can_view_extension_and_visible_extensions_agree(
    plan, personas, who, persona, pending, more_info, approved, rejected
):
    from tasks.models import Extension

    # One open request per task: the one waiting for more is on task 3 (省商务厅 co-leads).
    rows = {
        "pending": _extension(plan, personas, "pending"),
        "more_info": _extension(plan, personas, "more_info", task=plan.tasks[2]),
        "approved": _extension(plan, personas, "approved"),
        "rejected": _extension(plan, personas, "rejected"),
    }
    user = who(persona)
    expected = {"pending": pending, "more_info": more_info, "approved": approved}
    expected["rejected"] = rejected
    visible = set(permissions.visible_extensions(user, Extension.objects.all()))
    for state, row in rows.items():
        assert permissions.can_view_extension(user, row) is expected[state], state
        assert (row in visible) is expected[state], state


@pytest.mark.parametrize(
    ("persona", "decide_pending", "decide_more_info", "supplement_more_info"),
    [
        ("office", True, False, False),
        ("lead", False, False, True),
        ("support", False, False, False),
        ("outsider", False, False, False),
        ("member", False, False, False),
        ("anonymous", False, False, False),
    ],
)
def test_who_decides_and_who_supplements_an_extension(
    plan, personas, who, persona, decide_pending, decide_more_info, supplement_more_info
):
    user = who(persona)
    request = _extension(plan, personas, "pending")
    assert permissions.can_decide_extension(user, request) is decide_pending
    assert permissions.can_supplement_extension(user, request) is False
    request.state = "more_info"
    assert permissions.can_decide_extension(user, request) is decide_more_info
    assert permissions.can_supplement_extension(user, request) is supplement_more_info


@pytest.mark.parametrize(
    ("persona", "issue", "view", "respond_issued", "review_answered", "close_issued"),
    [
        ("office", True, True, False, True, True),
        ("lead", False, True, True, False, False),  # the slip is addressed to 省商务厅
        ("support", False, False, False, False, False),
        ("outsider", False, False, False, False, False),
        ("member", False, True, False, False, False),
        ("anonymous", False, False, False, False, False),
    ],
)
def test_slip_rules_of_access(
    plan, who, persona, issue, view, respond_issued, review_answered, close_issued
):
    from tasks.models import SupervisionSlip

    user = who(persona)
    issued = _slip(plan, "issued")
    answered = _slip(plan, "accepted", number=2)
    answered.status = "answered"
    assert permissions.can_issue_slip(user) is issue
    assert permissions.can_view_slip(user, issued) is view
    assert (issued in permissions.visible_slips(user, SupervisionSlip.objects.all())) is view
    assert permissions.can_respond_slip(user, issued) is respond_issued
    assert permissions.can_respond_slip(user, answered) is False
    assert permissions.can_review_slip(user, answered) is review_answered
    assert permissions.can_review_slip(user, issued) is False
    assert permissions.can_close_slip(user, issued) is close_issued


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("office", True),
        ("lead", False),  # follows its own on the task page's panel
        ("support", False),
        ("outsider", False),
        ("member", True),
        ("anonymous", False),
    ],
)
def test_supervision_events_in_the_task_history(plan, personas, who, persona, sees):
    from tasks.models import AuditEvent
    from tasks.services.audit import record_event

    event = record_event(task=plan.tasks[0], verb="slip_issued", actor=personas.office)
    visible = permissions.visible_audit_events(who(persona), AuditEvent.objects.all())
    assert (event in visible) is sees
