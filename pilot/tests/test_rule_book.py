"""Every permission question is answered by pilot/permissions.py: templates, views, admin
classes, forms and API handlers never compare roles or departments themselves."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# A template compares a user's role or department, or reads the account's flags.
TEMPLATE_RULES = re.compile(
    r"\.role\s*(==|!=)|\brole\s*(==|!=)|\bdepartment(_id)?\s*(==|!=)|department\.pk\s*(==|!=)"
    r"|is_superuser|is_staff|profile\.role"
)
# Python at the doors compares roles or departments, or reads the account's flags.
CODE_RULES = re.compile(
    r"\.is_superuser\b|\.is_staff\b|(==|!=)\s*Role\.|\(Role\.|profile\.role\s*(==|!=|in)"
    r"|\bdepartment(_id)?\s*(==|!=)|department\.pk\s*(==|!=)|(==|!=)\s*[\w.]*department\b"
)
DOORS = [
    "pilot/views.py",
    "departments/views",
    "tasks/views",
    "reports/views",
    "tasks/forms",
    "reports/forms",
    "tasks/api",
    "reports/api",
    "departments/admin.py",
    "tasks/admin.py",
    "reports/admin.py",
    "departments/context_processors.py",
]


def _python_files():
    for door in DOORS:
        path = ROOT / door
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


def _offending_lines(paths, pattern):
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and not line.lstrip().startswith("#"):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


@pytest.mark.parametrize(
    ("pattern", "line"),
    [
        (TEMPLATE_RULES, '{% if perms_role.review and update.role == "lead" %}'),
        (TEMPLATE_RULES, "{% if user.is_superuser %}"),
        (CODE_RULES, "if request.user.is_superuser:"),
        (CODE_RULES, "return reporter_department(user) == department"),
        (CODE_RULES, "profile__role__in=(Role.OFFICE, Role.ADMIN)"),
    ],
)
def test_the_patterns_catch_a_restated_rule(pattern, line):
    assert pattern.search(line)


def test_no_template_restates_a_permission_rule():
    templates = sorted((ROOT / "templates").rglob("*.html"))
    assert templates
    assert _offending_lines(templates, TEMPLATE_RULES) == []


def test_no_view_form_admin_or_api_handler_restates_a_permission_rule():
    files = list(_python_files())
    assert len(files) > 20
    assert _offending_lines(files, CODE_RULES) == []
