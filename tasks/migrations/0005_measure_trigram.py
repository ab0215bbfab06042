"""A pg_trgm GIN index for the task list's search, on PostgreSQL only.

Django's ``icontains`` compiles to ``UPPER(measure) LIKE UPPER(%s)`` there, so the index is
on ``UPPER(measure)``. The index is not declared in ``Task.Meta`` (SQLite has neither the
extension nor GIN); the model state is unchanged and this migration does nothing elsewhere.
"""

from django.db import migrations

INDEX = "tasks_task_measure_upper_trgm_h9"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.operations import TrigramExtension

    TrigramExtension().database_forwards("tasks", schema_editor, None, None)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON tasks_task "
        "USING gin (UPPER(measure) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other objects may use it.
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("tasks", "0004_update_highlight")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
