from django.urls import path

from reports.views import dashboard, scores

urlpatterns = [
    path("", dashboard.overview, name="dashboard"),
    path("programmes/", dashboard.programmes, name="dashboard-programmes"),
    path("departments/<int:department_id>/", dashboard.department, name="dashboard-department"),
    path("scores/", scores.score_page, name="scores"),
    path("scores/formula/", scores.save_formula, name="scores-formula"),
    path("scores/export.xlsx", scores.export, name="scores-export"),
    path("scores/<int:period_id>/publish/", scores.publish, name="scores-publish"),
]
