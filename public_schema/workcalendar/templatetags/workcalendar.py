"""`{% provisional_mark deadline %}`: a small 暂定 badge for a deadline past the known calendar."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from saas import workdays

register = template.Library()


@register.simple_tag
def provisional_mark(deadline):
    if not workdays.is_provisional(deadline):
        return ""
    return format_html(
        '<span class="badge badge-provisional" title="{}">{}</span>',
        _(
            "Counted Monday to Friday: the official holidays of that year are not entered yet. "
            "It is recounted when they are."
        ),
        _("Provisional"),
    )
