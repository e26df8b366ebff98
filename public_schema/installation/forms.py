from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Installation
from .selectors import installation_settings_identity


class InstallationForm(forms.ModelForm):
    class Meta:
        model = Installation
        fields = ["hub_name", "platform_name", "contact_email", "contact_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        defaults = installation_settings_identity()
        for name, field in self.fields.items():
            default = getattr(defaults, name)
            field.widget.attrs["placeholder"] = default
            field.help_text = (
                _("Leave blank for the installation's setting: %(value)s") % {"value": default}
                if default
                else _("Leave blank to show none.")
            )
