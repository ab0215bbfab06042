"""The user manual per role (/help/), the favicon and the admin's titles and help."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders

from departments.models import Role
from departments.services import create_account
from pilot.views import render_manual

HEADINGS = {
    "reporter": "<h1>部门填报人用户手册</h1>",
    "office": "<h1>联席会议办公室用户手册</h1>",
    "member": "<h1>联席会议成员用户手册</h1>",
}


@pytest.mark.parametrize(
    ("persona", "manual"),
    [("lead", "reporter"), ("support", "reporter"), ("office", "office"), ("member", "member")],
)
def test_help_shows_the_manual_of_the_users_role(clients, persona, manual):
    page = getattr(clients, persona).get("/help/").content.decode()
    assert HEADINGS[manual] in page
    assert [h for h in HEADINGS.values() if h in page] == [HEADINGS[manual]]


def test_an_administrator_reads_the_office_manual(client, db):
    client.force_login(get_user_model().objects.create_superuser("root", password="x-y-z-123"))
    assert HEADINGS["office"] in client.get("/help/").content.decode()


def test_any_role_can_open_another_roles_manual_from_the_menu(clients):
    page = clients.lead.get("/help/").content.decode()
    assert '<strong aria-current="page">部门填报人</strong>' in page
    assert '<a href="/help/office/">联席会议办公室</a>' in page
    assert HEADINGS["office"] in clients.lead.get("/help/office/").content.decode()


def test_an_unknown_manual_is_not_found(clients):
    assert clients.member.get("/help/admin/").status_code == 404


def test_help_needs_a_signed_in_user_with_a_role(clients, client, db):
    assert clients.anonymous.get("/help/")["Location"] == "/accounts/login/?next=/help/"
    client.force_login(get_user_model().objects.create_user("nobody"))
    assert client.get("/help/").status_code == 403


def test_the_menu_links_to_help_for_every_role(clients):
    for persona in ("lead", "office", "member"):
        page = getattr(clients, persona).get("/help/").content.decode()
        assert '<a href="/help/">帮助</a>' in page


def test_manual_markdown_shows_raw_html_as_text_and_drops_script_links():
    html = render_manual(
        "# 标题\n\n<script>alert(1)</script>\n\n"
        '<b onclick="x()">粗</b> [坏](javascript:alert(1)) [好](/tasks/)\n\n'
        "| 状态 | 含义 |\n|---|---|\n| 受阻 | 需协调 |\n"
    )
    assert "<script" not in html and "<b " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b onclick=" in html
    assert "<a>坏</a>" in html
    assert '<a href="/tasks/">好</a>' in html
    assert "<td>受阻</td>" in html


def test_help_page_carries_no_inline_script(clients):
    page = clients.office.get("/help/").content.decode()
    assert "<script>" not in page
    assert " on" + "click=" not in page


def test_pages_link_the_favicon_and_the_file_exists(clients):
    page = clients.member.get("/help/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert '<link rel="icon" href="/static/favicon.ico" sizes="32x32">' in page
    assert finders.find("favicon.svg") and finders.find("favicon.ico")
    with open(finders.find("favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO header


def test_favicon_ico_at_the_root_leads_to_the_icon(client, db):
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (302, "/static/favicon.ico")


@pytest.fixture
def office_client(plan, client):
    user, _password = create_account(username="office-admin", role=Role.OFFICE)
    client.force_login(user)
    return client


def test_admin_is_titled_with_the_portal_name(office_client):
    page = office_client.get("/admin/").content.decode()
    assert "<title>系统管理 | 试点任务管理平台</title>" in page
    assert '<a href="/admin/">试点任务管理平台</a>' in page
    assert "Django" not in page.split("<body", 1)[1].split("</header>", 1)[0]


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/admin/django_celery_beat/periodictask/", "周期任务是平台按计划自动执行的后台作业"),
        ("/admin/django_celery_beat/crontabschedule/", "每天早上 7:00"),
        ("/admin/django_celery_beat/intervalschedule/", "每隔固定时间执行一次"),
    ],
)
def test_schedule_pages_in_the_admin_explain_themselves_in_chinese(office_client, path, words):
    assert words in office_client.get(path).content.decode()


@pytest.mark.parametrize("topic", ["reporter", "office", "member"])
def test_shipped_manuals_render_their_lists_as_lists(topic, settings):
    text = Path(settings.BASE_DIR, "docs", "help", f"{topic}.md").read_text(encoding="utf-8")
    html = render_manual(text)
    assert html.startswith(HEADINGS[topic])
    # A sub-item indented too little would stay in its parent's text as " - ".
    assert " - " not in html
    assert "&lt;" not in html
