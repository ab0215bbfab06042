"""Find departments by any of their spellings, for the account commands."""

from django.db.models import Q

from departments.models import Department


def department_by_any_name(name: str) -> Department | None:
    """Return the department whose name, short name or alias is ``name`` (None if unknown)."""
    name = name.strip()
    return (
        Department.objects.filter(Q(name=name) | Q(short_name=name) | Q(aliases__name=name))
        .distinct()
        .order_by("pk")
        .first()
    )
