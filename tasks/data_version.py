"""Data versions: tokens that change whenever data behind the dashboards changes.

The dashboards cache what they render under a key that includes these tokens
(``reports.views.cache``), so a cached page is never stale and never recomputed while
nothing changed. Two scopes:

- ``bump(programme_id=...)``: one programme's figures changed (a submission, acceptance,
  return, withdrawal, completion confirmation, a task, assignment, category or period
  edit, a plan change);
- ``bump()``: something every dashboard shows changed (a department's name, kind or
  aliases, reporter accounts, a programme's title).

A programme bump also renews the programme's **history** token (``history``), which keys
the status walk's snapshot of the periods already closed (``reports.figures.asof``) -
unless the write runs inside ``routine_write()``. Only the reporting loop's four services
do: a submission, a withdrawal and a return touch no accepted update, and an acceptance
makes one accepted *now*, which takes effect in an open period (a closed period's cut-off
has passed). Everything else (the admin, plan changes, the safety net below, a script)
renews the history token as well: a write the snapshot could miss must not be routine.

Every write that affects figures calls ``bump`` from its service; the signal receivers at
the bottom are the safety net for rows saved outside the services (the admin, the plan
loader, scripts). A ``QuerySet.update()`` sends no signal, so a service that writes that
way must call ``bump`` itself.

The token is written in the writer's own transaction (one upsert), so it commits or rolls
back with the data it describes: a reader that sees the new data sees the new token. (An
``on_commit`` bump would leave a window after the commit, and lose the bump if the process
died in it.) Writers of one programme serialise on its row until they commit, a few ms.
Tokens are random, never reused, so a deleted row or a restored backup cannot bring an old
cache entry back to life. This module sits beneath ``reports``: it must not import it.
"""

import contextlib
import contextvars
import uuid

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

from departments.models import Department, DepartmentAlias, Profile
from tasks.models import (
    Assignment,
    Category,
    DataVersion,
    Programme,
    ProgressUpdate,
    ReportingPeriod,
    Task,
    UpdateState,
)

GLOBAL = "global"


def scope_of(programme_id: int | None) -> str:
    """Return the DataVersion scope of a programme (None: the global scope)."""
    return GLOBAL if programme_id is None else f"programme:{programme_id}"


def history_scope(programme_id: int) -> str:
    return f"history:programme:{programme_id}"


_routine = contextvars.ContextVar("routine_write", default=False)


@contextlib.contextmanager
def routine_write():
    """Mark the writes inside as routine: their bumps leave the history token as it is.

    For the reporting loop's services only (see the module docstring for why each is
    safe); a write whose effect can reach a closed period must never run inside.
    """
    token = _routine.set(True)
    try:
        yield
    finally:
        _routine.reset(token)


def bump(*, programme_id: int | None = None) -> None:
    """Give ``programme_id``'s scope (or, without one, the global scope) a new token; a
    programme's history token too, outside ``routine_write()``."""
    scopes = [scope_of(programme_id)]
    if programme_id is not None and not _routine.get():
        scopes.append(history_scope(programme_id))
    rows = [DataVersion(scope=scope, token=uuid.uuid4().hex) for scope in scopes]
    # One INSERT ... ON CONFLICT DO UPDATE: no race between two first bumps.
    DataVersion.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["scope"], update_fields=["token"]
    )


def history(*, programme_id: int) -> str:
    """Return the programme's history token ("0" before its first non-routine bump)."""
    scope = history_scope(programme_id)
    row = DataVersion.objects.filter(scope=scope).values_list("token", flat=True).first()
    return row or "0"


def current(*, programme_id: int | None = None) -> str:
    """Return the version of a programme's figures: its token and the global one (one query).

    A scope never bumped reads as "0"; its first bump gives it a random token.
    """
    scopes = [GLOBAL] if programme_id is None else [GLOBAL, scope_of(programme_id)]
    tokens = dict(DataVersion.objects.filter(scope__in=scopes).values_list("scope", "token"))
    return ".".join(tokens.get(scope, "0") for scope in scopes)


def all_tokens() -> dict[str, str]:
    """Return {scope: token} of every scope ever bumped (one query, one row each)."""
    return dict(DataVersion.objects.values_list("scope", "token"))


def joined(tokens: dict[str, str]) -> str:
    """Return one version for all of ``tokens`` (``all_tokens``): every programme's figures."""
    return ".".join(f"{scope}={tokens[scope]}" for scope in sorted(tokens))


def programme_version(tokens: dict[str, str], programme_id: int) -> str:
    """Return ``current(programme_id=...)`` read from ``tokens`` (``all_tokens``)."""
    return ".".join(tokens.get(scope, "0") for scope in (GLOBAL, scope_of(programme_id)))


# --- the safety net: rows saved or deleted outside the services ------------------------


def _task_programme(task_id) -> int | None:
    return Task.all_periods.filter(pk=task_id).values_list("programme_id", flat=True).first()


def _update_programme(update) -> int | None:
    # A draft never submitted counts in no figure (drafts are private): saving one is free.
    if update.state == UpdateState.DRAFT and update.first_submitted_at is None:
        return None
    return _task_programme(update.task_id)


PROGRAMME_ROWS = {
    Task: lambda task: task.programme_id,
    Category: lambda category: category.programme_id,
    ReportingPeriod: lambda period: period.programme_id,
    Assignment: lambda assignment: _task_programme(assignment.task_id),
}
GLOBAL_ROWS = (Department, DepartmentAlias, Profile)


def _bump_programme_row(sender, instance, **kwargs) -> None:
    programme_id = PROGRAMME_ROWS[sender](instance)
    if programme_id is not None:
        bump(programme_id=programme_id)


def _bump_update(sender, instance, **kwargs) -> None:
    programme_id = _update_programme(instance)
    if programme_id is not None:
        bump(programme_id=programme_id)


def _bump_programme(sender, instance, **kwargs) -> None:
    bump(programme_id=instance.pk)
    bump()  # its title is in every dashboard's picker


def _bump_global(sender, instance, **kwargs) -> None:
    bump()


def _bump_account(sender, instance, update_fields=None, **kwargs) -> None:
    # Whether an account is active decides whether its department owes submissions; a
    # login only saves last_login, which changes nothing shown.
    if update_fields is not None and "is_active" not in update_fields:
        return
    bump()


def connect_signals() -> None:
    """Connect the safety net (``TasksConfig.ready``). Each sender is named: a receiver for
    every model would cost Django its fast bulk deletes everywhere. Updates are not watched
    on delete (no service deletes one; a task's deletion bumps its programme)."""
    for model in PROGRAMME_ROWS:
        post_save.connect(_bump_programme_row, sender=model, dispatch_uid=f"dv-{model.__name__}")
        post_delete.connect(_bump_programme_row, sender=model, dispatch_uid=f"dv-{model.__name__}")
    post_save.connect(_bump_update, sender=ProgressUpdate, dispatch_uid="dv-update")
    post_save.connect(_bump_programme, sender=Programme, dispatch_uid="dv-programme")
    post_delete.connect(_bump_programme, sender=Programme, dispatch_uid="dv-programme")
    for model in GLOBAL_ROWS:
        post_save.connect(_bump_global, sender=model, dispatch_uid=f"dv-{model.__name__}")
        post_delete.connect(_bump_global, sender=model, dispatch_uid=f"dv-{model.__name__}")
    post_save.connect(_bump_account, sender=get_user_model(), dispatch_uid="dv-account")
