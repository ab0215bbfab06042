from django.urls import path

from tasks import views
from tasks.views import office, plan_export, plan_import, reporter, task_list, task_page

urlpatterns = [
    path("", views.home, name="home"),
    path("plan/export.xlsx", plan_export.export_plan_xlsx, name="plan-export"),
    path("plan/imports/", plan_import.import_list, name="plan-import-list"),
    path("plan/imports/template.xlsx", plan_import.import_template, name="plan-import-template"),
    path("plan/imports/<int:import_id>/", plan_import.import_preview, name="plan-import-preview"),
    path("plan/imports/<int:import_id>/file/", plan_import.import_file, name="plan-import-file"),
    path(
        "plan/imports/<int:import_id>/rows/<int:index>/",
        plan_import.import_row,
        name="plan-import-row",
    ),
    path(
        "plan/imports/<int:import_id>/rows/<int:index>/remove/",
        plan_import.import_row_remove,
        name="plan-import-row-remove",
    ),
    path("plan/imports/<int:import_id>/unit/", plan_import.import_unit, name="plan-import-unit"),
    path("plan/imports/<int:import_id>/meta/", plan_import.import_meta, name="plan-import-meta"),
    path(
        "plan/imports/<int:import_id>/confirm/",
        plan_import.import_confirm,
        name="plan-import-confirm",
    ),
    path(
        "plan/imports/<int:import_id>/discard/",
        plan_import.import_discard,
        name="plan-import-discard",
    ),
    path("review/", office.review_queue, name="review-queue"),
    path("review/bulk-accept/", office.bulk_accept, name="review-bulk-accept"),
    path("review/<int:update_id>/", office.review_update, name="review-update"),
    path("review/<int:update_id>/accept/", office.accept_update, name="review-accept"),
    path("review/<int:update_id>/return/", office.return_update, name="review-return"),
    path("tasks/", task_list.task_list, name="task-list"),
    path("tasks/<int:task_id>/", task_page.task_detail, name="task-detail"),
    path("tasks/<int:task_id>/name-body/", task_page.name_body, name="task-name-body"),
    path(
        "tasks/<int:task_id>/confirm-completion/",
        task_page.confirm_completion,
        name="task-confirm-completion",
    ),
    path(
        "tasks/<int:task_id>/periods/<int:period_id>/update/",
        reporter.update_form,
        name="update-form",
    ),
    path("evidence/<int:evidence_id>/", reporter.evidence_download, name="evidence-download"),
    path("evidence/<int:evidence_id>/delete/", reporter.evidence_delete, name="evidence-delete"),
    path("updates/<int:update_id>/return-input/", reporter.return_input, name="return-input"),
]
