from django.urls import path

from tasks.views import extensions, office, plan_export, reporter, slips, task_list, task_page

urlpatterns = [
    path("plan/export.xlsx", plan_export.export_plan_xlsx, name="plan-export"),
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
    path("tasks/<int:task_id>/extensions/new/", extensions.extension_new, name="extension-new"),
    path("extensions/", extensions.extension_list, name="extension-list"),
    path("extensions/<int:extension_id>/", extensions.extension_detail, name="extension-detail"),
    path(
        "extensions/<int:extension_id>/decide/",
        extensions.extension_decide,
        name="extension-decide",
    ),
    path(
        "extensions/<int:extension_id>/supplement/",
        extensions.extension_supplement,
        name="extension-supplement",
    ),
    path("extensions/files/<int:file_id>/", extensions.extension_file, name="extension-file"),
    path("tasks/<int:task_id>/slips/issue/", slips.slip_issue, name="slip-issue"),
    path("slips/", slips.slip_list, name="slip-list"),
    path("slips/<int:slip_id>/", slips.slip_detail, name="slip-detail"),
    path("slips/<int:slip_id>/respond/", slips.slip_respond, name="slip-respond"),
    path("slips/<int:slip_id>/review/", slips.slip_review, name="slip-review"),
]
