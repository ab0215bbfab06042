from django.urls import path

from reports import views_runs, views_templates
from reports.views import slips

urlpatterns = [
    path("", views_runs.run_list, name="report-runs"),
    path("request/", views_runs.request_run, name="report-run-request"),
    path("<int:run_id>/", views_runs.run_detail, name="report-run"),
    path("<int:run_id>/status/", views_runs.run_status, name="report-run-status"),
    path("<int:run_id>/send/", views_runs.send_run, name="report-run-send"),
    path("<int:run_id>/cancel/", views_runs.cancel_run, name="report-run-cancel"),
    path("<int:run_id>/retry/", views_runs.retry_run, name="report-run-retry"),
    path(
        "deliveries/<int:delivery_id>/resend/",
        views_runs.resend_delivery,
        name="report-delivery-resend",
    ),
    path("files/<int:file_id>/", views_runs.download_file, name="report-file"),
    path("template/", views_templates.template_page, name="report-template"),
    path("slips/<int:slip_id>/document.docx", slips.slip_document, name="slip-document"),
    path("template/download/", views_templates.download_template, name="report-template-download"),
]
