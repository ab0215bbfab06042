from django.urls import path

from reports.views import dashboard, meetings, scores

urlpatterns = [
    path("", dashboard.overview, name="dashboard"),
    path("programmes/", dashboard.programmes, name="dashboard-programmes"),
    path("departments/<int:department_id>/", dashboard.department, name="dashboard-department"),
    path("scores/", scores.score_page, name="scores"),
    path("scores/formula/", scores.save_formula, name="scores-formula"),
    path("scores/export.xlsx", scores.export, name="scores-export"),
    path("scores/<int:period_id>/publish/", scores.publish, name="scores-publish"),
    path("scores/<int:period_id>/bulletin/", scores.bulletin_page, name="scores-bulletin"),
    path(
        "scores/<int:period_id>/bulletin/save/", scores.bulletin_save, name="scores-bulletin-save"
    ),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/new/", meetings.meeting_create, name="meeting-create"),
    path("meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting-detail"),
    path("meetings/<int:meeting_id>/pack.docx", meetings.meeting_pack, name="meeting-pack"),
    path(
        "meetings/<int:meeting_id>/items/<int:item_id>/decisions/",
        meetings.decision_create,
        name="meeting-decision",
    ),
]
