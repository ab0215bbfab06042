"""Accessibility rules checked without a browser: chart colours against their background,
charts named by their figures, the skip link, announced messages, the error summary and no
control that acts on selection alone. The browser run with axe-core is
test_accessibility_browser.py."""

import re

import pytest
from django.urls import reverse

from reports.views.charts import REPORTING_COLOURS, STATUS_COLOURS, WARNING_COLOURS
from tasks.models import TaskStatus


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str = "#ffffff") -> float:
    lighter, darker = sorted([_luminance(foreground), _luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_formula_matches_wcag():
    assert contrast("#000000") == pytest.approx(21)
    assert contrast("#6b7280", "#e5e7eb") == pytest.approx(3.9, abs=0.05)  # the old grey badge


@pytest.mark.parametrize(
    "colour",
    [*STATUS_COLOURS.values(), *WARNING_COLOURS.values(), *REPORTING_COLOURS.values()],
)
def test_every_chart_series_colour_has_3_to_1_on_white(colour):
    assert contrast(colour) >= 3, colour


def test_the_css_text_colours_have_4_5_to_1():
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "portal.css").read_text()
    variables = dict(re.findall(r"--([a-z]+): (#[0-9a-f]{6})", css.split("}")[0]))
    for name in ("ink", "muted", "accent", "green", "yellow", "red", "grey"):
        assert contrast(variables[name]) >= 4.5, name
    # The badges: coloured text on its tinted background.
    assert contrast(variables["grey"], "#e5e7eb") >= 4.5
    assert contrast(variables["green"], "#dcfce7") >= 4.5
    assert contrast(variables["yellow"], "#fef3c7") >= 4.5
    assert contrast(variables["red"], "#fee2e2") >= 4.5


def test_each_chart_is_named_by_its_title_and_figures(plan, clients):
    response = clients.office.get(reverse("dashboard"))
    html = response.content.decode()
    names = re.findall(r'<div class="chart"[^>]*role="img" aria-label="([^"]*)"', html)
    assert len(names) == 6
    status = next(name for name in names if name.startswith("任务状态分布："))
    # The test plan's three tasks, none reported yet: all three 未启动 (100 %).
    assert f"{TaskStatus.NOT_STARTED.label} 任务数 3、占比 100.0%" in status
    assert f"{TaskStatus.ON_TRACK.label} 任务数 0、占比 0.0%" in status


def test_the_skip_link_comes_first_and_main_is_its_target(plan, clients):
    html = clients.lead.get(reverse("home")).content.decode()
    body = html[html.index("<body>") :]
    first_link = re.search(r"<(a|button|input|select)\b[^>]*>", body).group(0)
    assert 'class="skip-link"' in first_link and 'href="#main"' in first_link
    assert "跳到主要内容" in body[: body.index("</a>")]
    assert '<main class="content" id="main" tabindex="-1">' in html


def test_no_select_acts_on_selection_alone(plan, clients):
    for url in (reverse("home"), reverse("task-list")):
        html = clients.lead.get(url).content.decode()
        assert "data-autosubmit" not in html
        assert "autosubmit.js" not in html
    html = clients.lead.get(reverse("home")).content.decode()
    language_form = html[
        html.index('class="lang"') : html.index("</form>", html.index('class="lang"'))
    ]
    assert '<button type="submit">切换</button>' in language_form
    assert re.search(
        r'<select name="period">.*?</select>\s*</label>\s*<button type="submit">查看', html, re.S
    )


def test_success_messages_are_status_and_errors_are_alerts(plan, clients):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.template.loader import render_to_string

    html = render_to_string(
        "includes/messages.html",
        {
            "messages": [
                Message(constants.SUCCESS, "已采纳"),
                Message(constants.ERROR, "<b>失败</b>"),
            ]
        },
    )
    assert '<p class="msg msg-success" role="status">已采纳</p>' in html
    assert '<p class="msg msg-error" role="alert">&lt;b&gt;失败&lt;/b&gt;</p>' in html


def test_a_form_with_errors_gets_a_summary_linking_to_its_fields(plan, clients, personas):
    response = clients.office.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "a", "new_password2": "b"},
    )
    html = response.content.decode()
    summary = html[
        html.index('class="error-summary') : html.index("</div>", html.index("error-summary"))
    ]
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert '<a href="#id_old_password">' in summary
    assert '<a href="#id_new_password2">' in summary
    assert "a11y.js" in html


def test_a_form_without_errors_has_no_summary(plan, clients):
    assert "error-summary" not in clients.office.get(reverse("password_change")).content.decode()
