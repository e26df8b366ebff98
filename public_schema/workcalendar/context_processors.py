def calendar_expiry(request):
    """The calendar's expiry warning, for hub operators' pages only (the banner on the hub's pages)."""
    from public_schema.hub.access import is_hub_operator

    user = getattr(request, "user", None)
    if user is None or not is_hub_operator(user):
        return {}
    from .selectors import calendar_expiry as expiry

    return {"calendar_expiry": expiry()}
