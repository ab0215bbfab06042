"""The audit admin shows office staff no event of a draft (its edits, its file names)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from departments.models import Role
from departments.services import create_account
from tasks.models import AuditEvent, AuditVerb
from tasks.services import reporting

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FILLED = {"status": "on_track", "percent": 40, "work_done": "调研。", "next_steps": "开发。"}


@pytest.fixture
def draft_with_a_file(plan, personas, clock):
    update = reporting.start_update(
        task=plan.tasks[0], period=plan.periods[(2021, 3)], actor=personas.lead
    )
    upload = SimpleUploadedFile("机密方案.pdf", PDF, content_type="application/pdf")
    reporting.add_evidence(update=update, actor=personas.lead, upload=upload)
    return update


def _listed(client):
    return set(client.get("/admin/tasks/auditevent/").context["cl"].queryset)


def test_office_staff_do_not_see_a_drafts_events_in_the_audit_admin(
    client, plan, draft_with_a_file
):
    office, _password = create_account(username="office-admin", role=Role.OFFICE)
    client.force_login(office)

    listed = _listed(client)

    assert not any(event.update_id == draft_with_a_file.pk for event in listed)
    assert "机密方案.pdf" not in client.get("/admin/tasks/auditevent/").content.decode()


def test_the_drafts_events_appear_once_it_is_submitted(client, plan, personas, draft_with_a_file):
    office, _password = create_account(username="office-admin", role=Role.OFFICE)
    client.force_login(office)
    update = reporting.save_update(
        update=draft_with_a_file, actor=personas.lead, data=FILLED, expected_version=1
    )
    reporting.submit_update(update=update, actor=personas.lead, expected_version=update.version)

    verbs = {event.verb for event in _listed(client)}

    assert {AuditVerb.EVIDENCE_ADDED, AuditVerb.SUBMITTED} <= verbs


def test_a_superuser_sees_every_event(client, plan, draft_with_a_file):
    root = get_user_model().objects.create_superuser("root", password="pass-word-123")
    client.force_login(root)

    assert _listed(client) == set(AuditEvent.objects.all())
