from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = _("单位与账号")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from pilot.middleware import mark_session_seen

        user_logged_in.connect(mark_session_seen, dispatch_uid="pilot-session-seen")
