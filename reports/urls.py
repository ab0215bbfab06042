"""The reports app's pages: the start page, the dashboards (dashboard/) and the report
runs (reports/runs/). One urls module per app, mounted at the root by ``pilot/urls.py``."""

from django.urls import path

from reports.views import dashboard, home, meetings, runs, scores, slips, templates

urlpatterns = [
    path("", home.home, name="home"),
    path("dashboard/", dashboard.overview, name="dashboard"),
    path("dashboard/programmes/", dashboard.programmes, name="dashboard-programmes"),
    path(
        "dashboard/departments/<int:department_id>/",
        dashboard.department,
        name="dashboard-department",
    ),
    path("reports/runs/", runs.run_list, name="report-runs"),
    path("reports/runs/request/", runs.request_run, name="report-run-request"),
    path("reports/runs/<int:run_id>/", runs.run_detail, name="report-run"),
    path("reports/runs/<int:run_id>/status/", runs.run_status, name="report-run-status"),
    path("reports/runs/<int:run_id>/send/", runs.send_run, name="report-run-send"),
    path("reports/runs/<int:run_id>/cancel/", runs.cancel_run, name="report-run-cancel"),
    path("reports/runs/<int:run_id>/retry/", runs.retry_run, name="report-run-retry"),
    path(
        "reports/runs/deliveries/<int:delivery_id>/resend/",
        runs.resend_delivery,
        name="report-delivery-resend",
    ),
    path("reports/runs/files/<int:file_id>/", runs.download_file, name="report-file"),
    path("reports/runs/template/", templates.template_page, name="report-template"),
    path(
        "reports/runs/template/download/",
        templates.download_template,
        name="report-template-download",
    ),
    path(
        "reports/runs/slips/<int:slip_id>/document.docx", slips.slip_document, name="slip-document"
    ),
    path("dashboard/scores/", scores.score_page, name="scores"),
    path("dashboard/scores/formula/", scores.save_formula, name="scores-formula"),
    path("dashboard/scores/export.xlsx", scores.export, name="scores-export"),
    path("dashboard/scores/<int:period_id>/publish/", scores.publish, name="scores-publish"),
    path(
        "dashboard/scores/<int:period_id>/bulletin/", scores.bulletin_page, name="scores-bulletin"
    ),
    path(
        "dashboard/scores/<int:period_id>/bulletin/save/",
        scores.bulletin_save,
        name="scores-bulletin-save",
    ),
    path("dashboard/meetings/", meetings.meeting_list, name="meetings"),
    path("dashboard/meetings/new/", meetings.meeting_create, name="meeting-create"),
    path("dashboard/meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting-detail"),
    path(
        "dashboard/meetings/<int:meeting_id>/pack.docx", meetings.meeting_pack, name="meeting-pack"
    ),
    path(
        "dashboard/meetings/<int:meeting_id>/items/<int:item_id>/decisions/",
        meetings.decision_create,
        name="meeting-decision",
    ),
]
