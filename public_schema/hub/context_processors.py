from .access import is_hub_operator


def hub_operator(request):
    """`is_hub_operator` for the layout: the hub's navigation shows only to its operators.

    A callable, so pages of a tenant's site, which never ask, do not compute it.
    """
    user = getattr(request, "user", None)
    return {"is_hub_operator": lambda: user is not None and is_hub_operator(user)}
