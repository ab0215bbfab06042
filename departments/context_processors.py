from pilot import permissions


def role(request):
    """Expose the user's role flags to every template (menus show only what is allowed)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"perms_role": permissions.role_flags(user)}
