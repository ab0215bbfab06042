from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("报告")

    def ready(self):
        # tasks cannot import reports: it announces issued slips, reports mails them.
        from reports.services.slips import on_slip_issued
        from tasks.signals import slip_issued

        slip_issued.connect(on_slip_issued, dispatch_uid="reports-mail-slip")
