"""The reports page: a button per kind, files grouped per unit, sending to an empty list."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

from departments.models import DepartmentContact
from reports.models import (
    DistributionList,
    DistributionListKind,
    DistributionListMember,
    EmailDelivery,
    ReportFile,
    ReportKind,
    ReportRun,
)
from reports.services import runs as run_services

pytestmark = pytest.mark.django_db


def _press(client, kind, **data):
    return client.post(reverse("report-run-request"), {"kind": kind, **data})


def _late_list_run(plan, personas, february):
    run = run_services.request_report(
        kind=ReportKind.LATE_LIST, programme=plan.programme, period=february, actor=personas.office
    )
    return run_services.compile_report(run_id=run.pk)


# --- a button per kind -------------------------------------------------------------------


def test_each_kind_has_a_button_saying_what_it_makes(clients, february):
    html = clients.office.get(reverse("report-runs")).content.decode()

    for kind, label in [
        ("monthly", "生成月报"),
        ("late_list", "生成未按期报送名单"),
        ("urging", "生成催报通知"),
        ("summary", "生成试点总结"),
    ]:
        assert f'name="kind" value="{kind}"' in html
        assert f">{label}</button>" in html


def test_the_late_list_button_makes_a_late_list(clients, february):
    response = _press(clients.office, ReportKind.LATE_LIST, period=february.pk)

    run = ReportRun.objects.get()
    assert response.url == reverse("report-run", args=[run.pk])
    assert (run.kind, run.department) == (ReportKind.LATE_LIST, None)


def test_the_urging_button_makes_a_notice_for_the_chosen_unit(clients, plan, february):
    _press(clients.office, ReportKind.URGING, period=february.pk, department=plan.finance.pk)

    run = ReportRun.objects.get()
    assert (run.kind, run.department, run.scope) == (
        ReportKind.URGING,
        plan.finance,
        f"2021-02/dept-{plan.finance.pk}",
    )


def test_the_urging_button_without_a_unit_asks_for_one(clients, february):
    response = clients.office.post(
        reverse("report-run-request"),
        {"kind": ReportKind.URGING, "period": february.pk},
        follow=True,
    )

    assert "生成催报通知时请选择催报单位。" in response.content.decode()
    assert not ReportRun.objects.exists()


def test_a_unit_chosen_with_another_button_is_ignored(clients, plan, february):
    _press(clients.office, ReportKind.MONTHLY, period=february.pk, department=plan.finance.pk)

    assert ReportRun.objects.get().department is None


def test_collectives_cannot_be_urged(clients, plan, february):
    form = clients.office.get(reverse("report-runs")).context["form"]

    units = set(form.fields["department"].queryset)
    assert units == {plan.commerce, plan.customs, plan.finance}


def test_the_interim_confirmation_keeps_the_chosen_unit(clients, plan, february):
    march = plan.periods[(2021, 3)]  # filing open until 2021-03-25; the clock says 03-10

    response = _press(
        clients.office, ReportKind.URGING, period=march.pk, department=plan.customs.pk
    )

    html = response.content.decode()
    assert "确定继续生成" in html
    assert f'name="department" value="{plan.customs.pk}"' in html
    assert f'name="kind" value="{ReportKind.URGING}"' in html


# --- files per unit ----------------------------------------------------------------------


def test_a_late_list_stores_each_notice_with_its_unit(plan, personas, february):
    run = _late_list_run(plan, personas, february)

    stored = {(f.kind, f.department.name if f.department else None) for f in run.files.all()}
    assert stored == {
        ("xlsx", None),
        ("docx", "海口海关"),
        ("docx", "省商务厅"),
        ("docx", "省财政厅"),
    }


def test_the_run_page_lists_the_notices_under_each_units_name(clients, plan, personas, february):
    run = _late_list_run(plan, personas, february)

    response = clients.office.get(reverse("report-run", args=[run.pk]))

    assert [name for name, _files in response.context["unit_files"]] == [
        "海口海关",
        "省商务厅",
        "省财政厅",
    ]
    assert [f.kind for f in response.context["common_files"]] == ["xlsx"]
    html = response.content.decode()
    assert '<th scope="row">省财政厅</th>' in html
    assert "各单位文件（3 个单位）" in html


def test_the_run_list_counts_units_instead_of_repeating_word_links(
    clients, plan, personas, february
):
    _late_list_run(plan, personas, february)

    html = clients.member.get(reverse("report-runs")).content.decode()

    assert "3 个单位的文件" in html
    assert "Word 文档" not in html
    assert html.count("Excel 工作簿") == 1


def test_an_urging_run_files_its_notice_under_its_unit(clients, plan, personas, february):
    run = run_services.request_report(
        kind=ReportKind.URGING,
        programme=plan.programme,
        period=february,
        department=plan.finance,
        actor=personas.office,
    )
    run_services.compile_report(run_id=run.pk)

    assert ReportFile.objects.get(run=run).department == plan.finance


def test_the_run_list_stays_bounded_with_many_unit_files(
    clients, plan, personas, february, django_assert_max_num_queries
):
    _late_list_run(plan, personas, february)
    with django_assert_max_num_queries(12) as first:
        clients.office.get(reverse("report-runs"))
    for _ in range(3):
        _late_list_run(plan, personas, february)

    with django_assert_max_num_queries(len(first.captured_queries)):
        assert clients.office.get(reverse("report-runs")).status_code == 200


def test_files_stored_before_the_unit_was_recorded_get_it_from_their_name(plan, personas, february):
    run = _late_list_run(plan, personas, february)
    ReportFile.objects.filter(run=run).update(department=None)
    (path,) = Path(__file__).resolve().parents[1].glob("migrations/*_reportfile_department.py")
    migration = importlib.import_module(f"reports.migrations.{path.stem}")

    migration.fill_departments(apps, None)

    named = ReportFile.objects.filter(run=run, department__isnull=False)
    assert sorted(f.department.name for f in named) == ["海口海关", "省商务厅", "省财政厅"]


# --- sending to a list without addresses -------------------------------------------------


def _send(client, run, distribution_list):
    return client.post(
        reverse("report-run-send", args=[run.pk]),
        {"distribution_list": distribution_list.pk},
        follow=True,
    )


def test_sending_to_a_list_without_addresses_says_so_and_links_to_the_admin(
    clients, plan, personas, february
):
    run = _late_list_run(plan, personas, february)
    empty = DistributionList.objects.create(name="空名单", kind=DistributionListKind.MEMBERS)

    html = _send(clients.office, run, empty).content.decode()

    assert "该分发名单没有收件地址，请先在管理后台添加成员。" in html
    assert reverse("admin:reports_distributionlist_change", args=[empty.pk]) in html
    assert "已安排发送 0 封邮件" not in html
    assert not EmailDelivery.objects.exists()


def test_a_unit_list_without_contacts_links_to_the_units_admin_page(
    clients, plan, personas, february
):
    run = _late_list_run(plan, personas, february)
    unit_list = DistributionList.objects.create(
        name="省财政厅联系人", kind=DistributionListKind.DEPARTMENT, department=plan.finance
    )

    html = _send(clients.office, run, unit_list).content.decode()

    assert reverse("admin:departments_department_change", args=[plan.finance.pk]) in html
    DepartmentContact.objects.create(department=plan.finance, email="caizheng@example.cn")
    assert "已安排发送 1 封邮件" in _send(clients.office, run, unit_list).content.decode()


def test_sending_again_to_the_same_list_says_nothing_new_was_sent(
    clients, plan, personas, february
):
    run = _late_list_run(plan, personas, february)
    members = DistributionList.objects.create(name="成员", kind=DistributionListKind.MEMBERS)
    DistributionListMember.objects.create(distribution_list=members, email="a@example.cn")

    first = _send(clients.office, run, members).content.decode()
    second = _send(clients.office, run, members).content.decode()

    assert "已安排发送 1 封邮件" in first
    assert "都已收到这份报告，没有重复发送" in second
    assert EmailDelivery.objects.count() == 1
