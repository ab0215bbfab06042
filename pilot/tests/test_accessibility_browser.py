"""Every page of the portal, as every persona, passes axe-core's WCAG 2.1 A/AA rules in
Chromium; the keyboard and screen-reader aids (skip link, announced messages, error summary
that takes the focus, no control acting on selection alone) work in a real browser.

axe-core is vendored in static/vendor/axe-core (see VERSION there) and used only here. It is
run with ``page.evaluate`` of the file's text: that runs in the page's main world, so the
site's Content-Security-Policy (script nonces) does not block it.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from conftest import browser_login
from pilot.testing.factories import UpdateFactory
from reports.models import ReportKind, ReportRun, RunState
from tasks.models import Extension, SupervisionSlip, UpdateState
from tasks.plan_import.services import start_plan_import
from tasks.services import meetings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR, "static", "vendor", "axe-core", "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
  }));
}"""


@pytest.fixture
def objects(plan, personas):
    """What the pages show: a submitted update to review and a finished report run."""
    task, march = plan.tasks[0], plan.periods[(2021, 3)]
    submitted = UpdateFactory(
        task=task,
        period=plan.periods[(2021, 2)],
        department=plan.commerce,
        state=UpdateState.SUBMITTED,
        submitted_at=timezone.now(),
    )
    run = ReportRun.objects.create(
        kind=ReportKind.MONTHLY,
        programme=plan.programme,
        period=plan.periods[(2021, 2)],
        scope="2021-02",
        as_of=datetime.date(2021, 2, 25),
        version=1,
        state=RunState.DONE,
        created_at=timezone.now(),
        finished_at=timezone.now(),
    )
    # A plan import with a new unit and a row with problems: every part of the preview.
    table = "序号,试点任务,具体举措,责任分工\n1,（一）甲,建设平台。,省商务厅牵头，省新设局配合。\n"
    table += "2,（一）甲,,省商务厅\n"
    draft = start_plan_import(
        upload=SimpleUploadedFile("方案.csv", table.encode()), actor=personas.office
    )
    meeting = meetings.create_meeting(
        programme=plan.programme, held_on=march.due_on, tasks=[task], actor=personas.office
    )
    extension = Extension.objects.create(
        task=task,
        department=plan.commerce,
        current_due_on=task.due_on,
        requested_due_on=datetime.date(2021, 9, 30),
        reason="需等待上级批复。",
        requested_at=timezone.now(),
        requested_by=personas.lead,
    )
    slip = SupervisionSlip.objects.create(
        task=task,
        department=plan.commerce,
        level="red",
        year=2021,
        number=1,
        origin="hand",
        reason="该任务连续两期受阻。",
        issued_on=datetime.date(2021, 3, 10),
        issued_at=timezone.now(),
        response_due=datetime.date(2021, 3, 12),
    )
    return {
        "task": task,
        "march": march,
        "submitted": submitted,
        "run": run,
        "extension": extension,
        "slip": slip,
        "meeting": meeting,
        "import": draft,
    }


def _pages(persona, plan, objects):
    """The named routes each persona uses, reversed with the test plan's objects."""
    task, march = objects["task"], objects["march"]
    common = [
        reverse("home"),
        reverse("task-list"),
        reverse("task-detail", args=[task.pk]),
        reverse("help"),
        reverse("password_change"),
    ]
    if persona == "office":
        return [
            *common,
            reverse("dashboard"),
            reverse("dashboard-programmes"),
            reverse("dashboard-department", args=[plan.commerce.pk]),
            reverse("review-queue"),
            reverse("review-update", args=[objects["submitted"].pk]),
            reverse("report-runs"),
            reverse("report-run", args=[objects["run"].pk]),
            reverse("report-template"),
            reverse("scores"),
            reverse("meetings"),
            reverse("meeting-detail", args=[objects["meeting"].pk]),
            reverse("extension-list"),
            reverse("extension-detail", args=[objects["extension"].pk]),
            reverse("slip-list"),
            reverse("slip-detail", args=[objects["slip"].pk]),
            reverse("plan-import-list"),
            reverse("plan-import-preview", args=[objects["import"].pk]),
        ]
    if persona == "lead":
        return [
            *common,
            reverse("update-form", args=[task.pk, march.pk]),
            reverse("dashboard-department", args=[plan.commerce.pk]),
            reverse("scores"),
            reverse("extension-new", args=[task.pk]),
            reverse("extension-detail", args=[objects["extension"].pk]),
            reverse("slip-detail", args=[objects["slip"].pk]),
        ]
    if persona == "support":
        return [
            *common,
            reverse("update-form", args=[task.pk, march.pk]),
            reverse("dashboard-department", args=[plan.customs.pk]),
        ]
    if persona == "member":
        return [
            *common,
            reverse("dashboard"),
            reverse("dashboard-programmes"),
            reverse("scores"),
            reverse("meeting-detail", args=[objects["meeting"].pk]),
        ]
    return [
        reverse("login"),
        reverse("password_reset"),
        reverse("password_reset_done"),
        reverse("password_reset_complete"),
    ]


def _violations(page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    return page.evaluate(RUN_AXE, WCAG_TAGS)


def _describe(found: dict[str, list[dict]]) -> str:
    lines = []
    for url, violations in found.items():
        for violation in violations:
            lines.append(f"{url}: {violation['id']} ({violation['impact']}) {violation['help']}")
            lines.extend(f"    {target}" for target in violation["targets"])
    return "\n".join(lines)


@pytest.mark.parametrize("persona", ["office", "lead", "support", "member", "anonymous"])
def test_every_page_has_no_wcag_21_aa_violation(page, plan, personas, objects, persona):
    if persona != "anonymous":
        browser_login(page, persona)
    found = {}
    for url in _pages(persona, plan, objects):
        response = page.goto(url)
        assert response.status == 200, f"{persona} {url}: {response.status}"
        page.wait_for_load_state("load")
        if page.locator(".chart").count():
            page.wait_for_selector(".chart[data-drawn=true]")
        violations = _violations(page)
        if violations:
            found[url] = violations
    assert not found, f"axe-core, {persona}:\n{_describe(found)}"


def test_the_skip_link_is_the_first_tab_stop_and_leads_to_main(page, plan, personas):
    browser_login(page, "office")
    page.goto(reverse("home"))
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "跳到主要内容"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    assert page.evaluate("document.activeElement.id") == "main"


def test_a_form_with_errors_announces_them_and_takes_the_focus(page, plan, personas):
    page.goto(reverse("login"))
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", "wrong-password")
    page.click("main button[type=submit]")
    summary = page.locator(".error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    violations = _violations(page)
    assert not violations, _describe({"login with errors": violations})


def test_messages_are_announced_with_a_role(page, plan, personas, objects):
    browser_login(page, "office")
    page.goto(reverse("review-update", args=[objects["submitted"].pk]))
    page.click("button[name=accept]")
    expect(page.locator(".messages [role=status]")).to_contain_text("已采纳")


def test_the_language_picker_does_not_act_on_selection_alone(page, plan, personas):
    browser_login(page, "member")
    page.goto(reverse("home"))
    page.select_option("select[name=language]", "en")
    page.wait_for_timeout(300)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    with page.expect_navigation():
        page.get_by_role("button", name="切换").click()
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_update_form_with_errors_focuses_its_summary_and_passes_axe(page, plan, personas):
    task, march = plan.tasks[0], plan.periods[(2021, 3)]
    browser_login(page, "lead")
    page.goto(reverse("update-form", args=[task.pk, march.pk]))
    page.fill("input[name=percent]", "10")  # and no text: submitting needs the work done
    page.click("button[name=action][value=submit]")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=re.compile("本期工作进展"))).to_have_attribute(
        "href", "#id_work_done"
    )
    violations = _violations(page)
    assert not violations, _describe({"update form with errors": violations})
