from django.urls import path

from reports.views import dashboard

urlpatterns = [
    path("", dashboard.overview, name="dashboard"),
    path("programmes/", dashboard.programmes, name="dashboard-programmes"),
    path("departments/<int:department_id>/", dashboard.department, name="dashboard-department"),
]
