from tenant_schema.enterprises.selectors import enterprise_of_user, user_is_park_staff


def roles(request):
    """What the navigation shows depends on: `is_park_staff` and `is_enterprise_member`.

    Park administrators and reviewers see the staff pages; an enterprise's people see their
    own. Both are read from what was loaded with the user (every_schema.accounts.backends), so they cost no
    query; callables, so pages that never ask do not compute them.
    """
    user = getattr(request, "user", None)
    return {
        "is_park_staff": lambda: user is not None and user_is_park_staff(user),
        "is_enterprise_member": lambda: user is not None and enterprise_of_user(user=user) is not None,
    }
