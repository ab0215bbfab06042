from django.db import models


class DataVersion(models.Model):
    """A token that changes whenever data behind the dashboards changes (tasks.data_version).

    One row per scope: ``programme:<id>`` for one programme's figures, ``global`` for what
    every dashboard shows (department names and kinds, reporter accounts, programme titles).
    """

    scope = models.CharField(max_length=40, primary_key=True)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "data version"

    def __str__(self):
        return f"{self.scope}: {self.token}"
