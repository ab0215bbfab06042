"""English through Django's i18n: the Chinese msgids are translated by locale/en.

The portal is Chinese first (LANGUAGE_CODE zh-hans); a visitor gets English through the
language cookie set by /i18n/setlang/, or through ``Accept-Language: en``. Data typed by
users (department names, task measures) stays as typed, so the checks below look only at
interface strings.
"""

import ast
import gettext
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tasks.models import TaskStatus
from tasks.services import reporting

pytestmark = pytest.mark.django_db

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
FILLED = {
    "status": TaskStatus.ON_TRACK,
    "percent": 40,
    "work_done": "完成单一窗口需求调研。",
    "next_steps": "启动系统开发。",
    "problems": "",
    "needs_coordination": False,
}


def _in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _lead_draft(plan, personas):
    task, march = plan.tasks[0], plan.periods[(2021, 3)]
    update = reporting.start_update(task=task, period=march, actor=personas.lead)
    return reporting.save_update(
        update=update, actor=personas.lead, data=FILLED, expected_version=update.version
    )


def _submitted_lead_update(plan, personas):
    task, march = plan.tasks[2], plan.periods[(2021, 3)]
    update = reporting.start_update(task=task, period=march, actor=personas.lead)
    update = reporting.save_update(
        update=update, actor=personas.lead, data=FILLED, expected_version=update.version
    )
    return reporting.submit_update(
        update=update, actor=personas.lead, expected_version=update.version
    )


def _patch_update(client, update, body, **headers):
    return client.patch(
        f"/api/v1/updates/{update.pk}/",
        json.dumps(body),
        content_type="application/json",
        **headers,
    )


# --- pages -----------------------------------------------------------------------------


def test_login_page_is_chinese_by_default(client):
    html = client.get(reverse("login")).content.decode()
    assert "用户名" in html
    assert "试点任务管理平台" in html
    assert "Username" not in html


def test_login_page_is_english_when_the_browser_asks_for_english(client):
    html = client.get(reverse("login"), **ENGLISH).content.decode()
    assert "Log in" in html
    assert "Username" in html
    assert "Password" in html
    assert "Pilot Task Management Portal" in html
    assert "用户名" not in html
    assert "试点任务管理平台" not in html


def test_the_language_menu_names_each_language_in_itself(client):
    chinese = client.get(reverse("login")).content.decode()
    english = client.get(reverse("login"), **ENGLISH).content.decode()
    for html in (chinese, english):
        assert '<option value="en" lang="en"' in html
        assert ">English</option>" in html
        assert ">简体中文</option>" in html
    assert "英语" not in chinese


def test_login_page_sets_the_html_lang_attribute_to_english(client):
    html = client.get(reverse("login"), **ENGLISH).content.decode()
    assert '<html lang="en"' in html


def test_setlang_switches_a_reporters_home_page_to_english(plan, clients, clock):
    response = clients.lead.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = clients.lead.get(reverse("home")).content.decode()
    assert "省商务厅 · My unit’s tasks" in html
    assert "Reporting period" in html
    assert "Not filed" in html
    assert "Log out" in html
    assert "本单位任务" not in html
    assert "报送期次" not in html


def test_reporters_home_page_stays_chinese_without_a_language_choice(plan, clients, clock):
    html = clients.lead.get(reverse("home")).content.decode()
    assert "省商务厅 · 本单位任务" in html
    assert "My unit’s tasks" not in html


def test_update_form_renders_in_english_with_the_language_cookie(plan, personas, clients, clock):
    _lead_draft(plan, personas)
    url = reverse("update-form", args=[plan.tasks[0].pk, plan.periods[(2021, 3)].pk])
    html = _in_english(clients.lead).get(url).content.decode()
    assert "Task 1 · " in html
    assert "Save draft" in html
    assert "Submit" in html
    assert "Supporting documents" in html
    assert "保存草稿" not in html
    assert "佐证材料" not in html


def test_review_queue_renders_in_english_for_the_office(plan, personas, clients, clock):
    _submitted_lead_update(plan, personas)
    html = _in_english(clients.office).get(reverse("review-queue")).content.decode()
    assert "Review submissions" in html
    assert "1 submission" in html
    assert "Lead unit" in html
    assert "Accept selected" in html
    assert "审核报送" not in html
    assert "牵头单位" not in html


# --- API -------------------------------------------------------------------------------


def test_api_refuses_percent_150_in_english(plan, personas, clients, clock):
    update = _lead_draft(plan, personas)
    response = _patch_update(clients.lead, update, {"version": 2, "percent": 150}, **ENGLISH)
    assert response.status_code == 400
    assert response.json() == {"percent": ["Ensure this value is less than or equal to 100."]}


def test_api_reports_the_services_own_validation_error_in_english(plan, personas, clients, clock):
    update = _lead_draft(plan, personas)
    body = {"version": 2, "status": "completed", "percent": 80}
    response = _patch_update(clients.lead, update, body, **ENGLISH)
    assert response.status_code == 400
    assert response.json() == {
        "percent": ["When the progress status is “Completed”, progress must be 100%."]
    }


def test_api_reports_the_services_own_validation_error_in_chinese_by_default(
    plan, personas, clients, clock
):
    update = _lead_draft(plan, personas)
    body = {"version": 2, "status": "completed", "percent": 80}
    response = _patch_update(clients.lead, update, body)
    assert response.status_code == 400
    assert response.json() == {"percent": ["推进状态为“已完成”时，完成进度应为 100%。"]}


# --- the catalogue itself ----------------------------------------------------------------


def _po_entries(path):
    """Parse a .po file into dicts of msgctxt / msgid / msgid_plural / msgstr[n] and flags.

    A deliberately small parser (polib is not a project dependency): enough for the files
    makemessages writes. Obsolete ``#~`` entries are skipped.
    """
    entries, entry, key = [], None, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry and "msgid" in entry:
                entries.append(entry)
            entry = None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = {"flags": set()}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        elif not line.startswith("#"):
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return entries


def _messages(path):
    return [entry for entry in _po_entries(path) if entry["msgid"]]


def test_the_po_parser_reads_a_known_entry():
    entries = {entry["msgid"]: entry for entry in _messages(LOCALE_DIR / "django.po")}
    assert entries["正常推进"]["msgstr"] == "On track"
    assert entries["共 %(counter)s 项任务"]["msgstr[1]"] == "%(counter)s tasks"


def test_every_message_is_translated():
    messages = _messages(LOCALE_DIR / "django.po")
    assert len(messages) > 500
    untranslated = [
        entry["msgid"]
        for entry in messages
        if not all(entry[key] for key in entry if key.startswith("msgstr"))
    ]
    assert untranslated == []


def test_no_message_is_marked_fuzzy():
    fuzzy = [
        entry["msgid"]
        for entry in _po_entries(LOCALE_DIR / "django.po")
        if "fuzzy" in entry["flags"]
    ]
    assert fuzzy == []


def _compiled(catalogue, entry):
    """Look an entry up in the compiled catalogue: singular, or the plural for 1 and 2."""
    if "msgid_plural" in entry:
        args = (entry["msgid"], entry["msgid_plural"])
        if "msgctxt" in entry:
            return [catalogue.npgettext(entry["msgctxt"], *args, n) for n in (1, 2)]
        return [catalogue.ngettext(*args, n) for n in (1, 2)]
    if "msgctxt" in entry:
        return catalogue.pgettext(entry["msgctxt"], entry["msgid"])
    return catalogue.gettext(entry["msgid"])


def _expected(entry):
    if "msgid_plural" in entry:
        return [entry["msgstr[0]"], entry["msgstr[1]"]]
    return entry["msgstr"]


def test_compiled_catalogue_matches_the_po_file():
    with (LOCALE_DIR / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    stale = [
        entry["msgid"]
        for entry in _messages(LOCALE_DIR / "django.po")
        if _compiled(catalogue, entry) != _expected(entry)
    ]
    assert stale == []


def test_period_labels_follow_the_language(plan):
    from django.utils import translation

    period = plan.periods[(2021, 3)]
    assert str(period) == "2021年3月"
    with translation.override("en"):
        assert str(period) == "2021-03"
