from django import template

from ..selectors import installation_identity as _identity

register = template.Library()


@register.simple_tag(name="installation_identity")
def installation_identity():
    """For templates rendered without a request (mail): `{% installation_identity as installation %}`."""
    return _identity()
