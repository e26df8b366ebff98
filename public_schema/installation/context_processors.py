from django.utils.functional import SimpleLazyObject

from .selectors import installation_identity


def installation(request):
    """`installation` in every template: hub and platform names, contact (read only when a template uses it)."""
    return {"installation": SimpleLazyObject(installation_identity)}
