"""Evidence per update: a quota on count and total size, no file stored twice, and files
of removed evidence deleted from disk by purge_evidence_files after a grace period."""

import os
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from pilot.tests.threads import run_at_once
from tasks.evidence import purge_orphan_files
from tasks.models import Evidence
from tasks.services import reporting

pytestmark = pytest.mark.django_db

FILLED = {"status": "on_track", "percent": 40, "work_done": "调研。", "next_steps": "开发。"}


def pdf(name="说明.pdf", marker="1"):
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%" + marker.encode() + b"\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture
def draft(plan, personas, clock):
    return reporting.start_update(
        task=plan.tasks[0], period=plan.periods[(2021, 3)], actor=personas.lead
    )


def _add(draft, personas, upload):
    return reporting.add_evidence(update=draft, actor=personas.lead, upload=upload)


# --- quota ------------------------------------------------------------------------------


def test_a_file_beyond_the_count_quota_is_refused_in_chinese(draft, personas, settings):
    settings.EVIDENCE_MAX_FILES_PER_UPDATE = 2
    _add(draft, personas, pdf("一.pdf", "1"))
    _add(draft, personas, pdf("二.pdf", "2"))

    with pytest.raises(ValidationError) as refused:
        _add(draft, personas, pdf("三.pdf", "3"))

    assert refused.value.messages == [
        "每份报送最多上传 2 个佐证材料，“三.pdf”未上传；请先删除不需要的文件。"
    ]
    assert draft.evidence.count() == 2


def test_a_file_beyond_the_size_quota_is_refused_naming_the_sizes(draft, personas, settings):
    first = _add(draft, personas, pdf("一.pdf", "1"))
    settings.EVIDENCE_MAX_TOTAL_BYTES_PER_UPDATE = first.size * 2 - 1

    with pytest.raises(ValidationError) as refused:
        _add(draft, personas, pdf("二.pdf", "2"))

    [message] = refused.value.messages
    assert message.startswith("每份报送的佐证材料合计不超过 ")
    assert "“二.pdf”" in message
    assert draft.evidence.count() == 1


def test_the_quota_defaults_to_20_files_and_100_mb(draft, personas):
    for n in range(20):
        _add(draft, personas, pdf(f"{n}.pdf", str(n)))

    with pytest.raises(ValidationError, match="最多上传 20 个"):
        _add(draft, personas, pdf("21.pdf", "21"))


def test_the_api_refuses_a_file_beyond_the_quota_on_the_file_field(
    draft, personas, clients, settings
):
    settings.EVIDENCE_MAX_FILES_PER_UPDATE = 1
    _add(draft, personas, pdf("一.pdf", "1"))

    response = clients.lead.post(
        f"/api/v1/updates/{draft.pk}/evidence/", {"file": pdf("二.pdf", "2")}
    )

    assert response.status_code == 400
    assert "最多上传 1 个" in response.json()["file"][0]


def test_the_form_refuses_more_files_than_the_quota_and_keeps_the_text(
    draft, plan, clients, settings
):
    settings.EVIDENCE_MAX_FILES_PER_UPDATE = 2
    files = [pdf(f"{n}.pdf", str(n)) for n in range(3)]
    url = reverse("update-form", args=[plan.tasks[0].pk, plan.periods[(2021, 3)].pk])

    response = clients.lead.post(
        url,
        {**FILLED, "version": "1", "action": "save", "work_done": "我写的进展", "evidence": files},
    )

    assert response.context["form"].errors["evidence"] == [
        "每份报送最多上传 2 个佐证材料，本次选择了 3 个。"
    ]
    assert "我写的进展" in response.content.decode()
    assert not Evidence.objects.exists()


# --- duplicates -------------------------------------------------------------------------


def test_an_identical_file_is_kept_once(draft, personas):
    first = _add(draft, personas, pdf("调研报告.pdf"))
    again = _add(draft, personas, pdf("调研报告（副本）.pdf"))

    assert again.pk == first.pk
    assert again.duplicate and not first.duplicate
    assert draft.evidence.count() == 1


def test_the_form_warns_that_the_file_was_already_uploaded(draft, plan, clients):
    url = reverse("update-form", args=[plan.tasks[0].pk, plan.periods[(2021, 3)].pk])
    data = {**FILLED, "version": "1", "action": "save"}

    response = clients.lead.post(
        url, {**data, "evidence": [pdf("甲.pdf"), pdf("乙.pdf")]}, follow=True
    )

    assert Evidence.objects.count() == 1
    assert "该文件已上传：“乙.pdf”与已有的佐证材料相同，未重复保存。" in response.content.decode()


def test_the_api_answers_200_with_the_file_already_attached(draft, personas, clients):
    first = _add(draft, personas, pdf())

    response = clients.lead.post(f"/api/v1/updates/{draft.pk}/evidence/", {"file": pdf("b.pdf")})

    assert response.status_code == 200
    assert response.json()["id"] == first.pk


def test_a_failed_save_after_a_duplicate_keeps_the_original_file(draft, personas):
    first = _add(draft, personas, pdf())

    not_a_pdf = SimpleUploadedFile("假.pdf", b"plain text", content_type="application/pdf")

    with pytest.raises(ValidationError):
        reporting.file_update(
            update=draft,
            actor=personas.lead,
            data=FILLED,
            expected_version=draft.version,
            uploads=[pdf("again.pdf"), not_a_pdf],
        )

    assert first.file.storage.exists(first.file.name)


# --- purge ------------------------------------------------------------------------------


def _age(evidence_file, hours):
    path = evidence_file.storage.path(evidence_file.name)
    then = time.time() - hours * 3600
    os.utime(path, (then, then))
    return evidence_file.name


def test_a_removed_files_data_leaves_the_disk_after_the_grace_period(draft, personas):
    kept = _add(draft, personas, pdf("留.pdf", "1"))
    removed = _add(draft, personas, pdf("删.pdf", "2"))
    storage, name = removed.file.storage, _age(removed.file, 25)
    _age(kept.file, 25)
    reporting.remove_evidence(evidence=removed, actor=personas.lead)
    assert storage.exists(name)  # removing the row leaves the file to the job

    purged = purge_orphan_files()

    assert purged == [name]
    assert not storage.exists(name)
    assert storage.exists(kept.file.name)


def test_a_young_orphan_is_kept_as_it_may_be_an_upload_in_flight(draft, personas):
    removed = _add(draft, personas, pdf())
    name = _age(removed.file, 1)
    reporting.remove_evidence(evidence=removed, actor=personas.lead)

    assert purge_orphan_files() == []
    assert removed.file.storage.exists(name)


def test_the_command_lists_without_deleting_on_a_dry_run_and_is_safe_twice(draft, personas, capsys):
    removed = _add(draft, personas, pdf())
    name = _age(removed.file, 48)
    reporting.remove_evidence(evidence=removed, actor=personas.lead)

    call_command("purge_evidence_files", "--dry-run")
    assert removed.file.storage.exists(name)
    call_command("purge_evidence_files")
    call_command("purge_evidence_files")

    output = capsys.readouterr().out
    assert "可删除 1 个文件（未删除）。" in output
    assert "已删除 1 个文件。" in output and "已删除 0 个文件。" in output
    assert not removed.file.storage.exists(name)


# --- concurrency ------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_uploads_at_once_cannot_both_take_the_last_place(plan, personas, clock, settings):
    settings.EVIDENCE_MAX_FILES_PER_UPDATE = 2
    draft = reporting.start_update(
        task=plan.tasks[0], period=plan.periods[(2021, 3)], actor=personas.lead
    )
    _add(draft, personas, pdf("一.pdf", "1"))

    def upload(marker):
        _add(draft, personas, pdf(f"{marker}.pdf", marker))
        return "stored"

    results = run_at_once(*(lambda m=str(n): upload(m) for n in range(2, 6)))
    outcomes = ["refused" if isinstance(r, ValidationError) else r for r in results]

    assert sorted(outcomes) == ["refused", "refused", "refused", "stored"]
    assert Evidence.objects.filter(update=draft).count() == 2
