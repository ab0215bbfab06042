from django.urls import path

from tasks import views
from tasks.views import plan_export

urlpatterns = [
    path("", views.home, name="home"),
    path("plan/export.xlsx", plan_export.export_plan_xlsx, name="plan-export"),
]
