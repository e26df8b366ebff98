from tenant_schema.enterprises.selectors import enterprise_of_user, user_is_park_admin, user_is_park_staff


def roles(request):
    """What the navigation shows depends on: `is_park_staff`, `is_park_admin` and `is_enterprise_member`.

    Park administrators and reviewers see the staff pages (a reviewer without the register
    of enterprises); an enterprise's people see their own. Both are read from what was loaded with the user (every_schema.accounts.backends), so they cost no
    query; callables, so pages that never ask do not compute them.
    """
    user = getattr(request, "user", None)
    return {
        "is_park_staff": lambda: user is not None and user_is_park_staff(user),
        "is_park_admin": lambda: user is not None and user_is_park_admin(user),
        "is_enterprise_member": lambda: user is not None and enterprise_of_user(user=user) is not None,
    }
