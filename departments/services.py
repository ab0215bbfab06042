"""Accounts: portal users with a role, and one reporter account per reporting department."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from departments.models import AccountEvent, AccountVerb, Department, Profile, Role
from departments.usernames import pinyin_username
from pilot import clock, permissions

# No 0/o, 1/l/i: the password is read off a sheet of paper and typed in by hand.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
PASSWORD_GROUPS = 3
PASSWORD_GROUP_LENGTH = 4


def generate_password() -> str:
    """Return a readable strong password such as ``k7qp-3mzx-t9wd`` (about 59 bits)."""
    while True:
        groups = [
            "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_GROUP_LENGTH))
            for _ in range(PASSWORD_GROUPS)
        ]
        password = "-".join(groups)
        # Django's NumericPasswordValidator and a reader both prefer letters and digits.
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


@transaction.atomic
def create_account(
    *,
    username: str,
    role: str,
    department: Department | None = None,
    password: str | None = None,
    full_name: str = "",
    actor=None,
):
    """Create a user with a portal role; return it with its (generated) initial password.

    ``actor`` is who opens the account (None: an operator on the command line).
    """
    if role not in Role.values:
        raise ValidationError({"role": _("未知的角色：%(role)s。") % {"role": role}})
    if role == Role.REPORTER and department is None:
        raise ValidationError({"department": _("部门填报人必须属于一个单位。")})
    if department is not None and department.is_collective:
        raise ValidationError(
            {"department": _("“%(name)s”是集合单位，不能开设账号。") % {"name": department}}
        )
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名“%(name)s”已被使用。") % {"name": username}})
    password = password or generate_password()
    # Chinese names are not split into given and family names.
    user = User.objects.create_user(username=username, password=password, first_name=full_name)
    Profile.objects.create(user=user, role=role, department=department)
    if role == Role.OFFICE:
        grant_office_admin(user=user)
    record_account_event(
        account=user, verb=AccountVerb.CREATED, actor=actor, detail=_role_text(role, department)
    )
    return user, password


def record_account_event(*, account, verb: str, actor, detail: str = "") -> AccountEvent:
    """Append one line to the account's audit history (inside the caller's transaction)."""
    return AccountEvent.objects.create(
        account=account, verb=verb, actor=actor, at=clock.now(), detail=detail[:500]
    )


def _role_text(role: str, department: Department | None) -> str:
    label = Role(role).label
    return f"{label} · {department}" if department is not None else str(label)


OFFICE_GROUP = "联席会议办公室"


@transaction.atomic
def sync_office_group() -> Group:
    """Create or update the office group with exactly ``permissions.OFFICE_ADMIN_RIGHTS``."""
    group, _created = Group.objects.get_or_create(name=OFFICE_GROUP)
    wanted = Q(pk__in=[])
    for label, actions in permissions.OFFICE_ADMIN_RIGHTS.items():
        app_label, model = label.split(".")
        codenames = [f"{action}_{model}" for action in actions]
        wanted |= Q(content_type__app_label=app_label, codename__in=codenames)
    group.permissions.set(Permission.objects.filter(wanted))
    return group


def grant_office_admin(*, user) -> None:
    """Let an office user into the admin with the office group's rights."""
    group = sync_office_group()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(group)


def reporter_username(department: Department) -> str:
    """Return the username a department's reporter account gets: the pinyin of its short
    name (省商务厅: shangwu), or dept-<id> when the name has nothing to spell."""
    return pinyin_username(department.label) or f"dept-{department.pk}"


def department_reporter(department: Department):
    """Return the department's existing reporter account, or None."""
    profile = (
        Profile.objects.filter(role=Role.REPORTER, department=department)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return profile.user if profile else None


def create_reporter_accounts(*, departments) -> list[tuple[Department, str, str]]:
    """Give each concrete department without a reporter account one; skip the others.

    Return one ``(department, username, password)`` per department passed, in order; for a
    department that already has a reporter account the username is that account's and the
    password is empty (it is never reset here). Collectives are skipped silently: they
    cannot report (callers that take names from a user reject them first).
    """
    results = []
    for department in departments:
        if department.is_collective:
            continue
        existing = department_reporter(department)
        if existing is not None:
            results.append((department, existing.get_username(), ""))
            continue
        user, password = create_account(
            username=_free_username(reporter_username(department)),
            role=Role.REPORTER,
            department=department,
            full_name=_("%(name)s填报人") % {"name": department.label},
        )
        results.append((department, user.get_username(), password))
    return results


def _free_username(base: str) -> str:
    # Two units may spell alike (省水务厅, 海南省税务局: shuiwu), and a user may survive its
    # profile (deleted by hand): never reuse a taken name.
    taken = set(
        get_user_model()
        .objects.filter(username__startswith=base)
        .values_list("username", flat=True)
    )
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
