from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("试点任务")

    def ready(self):
        from tasks import data_version

        data_version.connect_signals()
