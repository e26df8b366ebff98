from django.db import models
from django.utils.translation import gettext_lazy as _


class Installation(models.Model):
    """The hub operator's own values, one row in the public schema.

    A blank field means "the setting's value" (PARKHUB_HUB_NAME, PARKHUB_PLATFORM_NAME,
    PARKHUB_CONTACT_EMAIL, PARKHUB_CONTACT_PHONE), so an installation configured only by its
    environment needs no row at all. Read through public_schema.installation.selectors, written through
    public_schema.installation.services, which keeps the cached copy current.
    """

    SINGLETON_ID = 1

    hub_name = models.CharField(_("hub name"), max_length=100, blank=True)
    platform_name = models.CharField(_("platform name"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact telephone"), max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.EmailField(blank=True)

    class Meta:
        verbose_name = _("installation")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="installation_single_row")]

    def __str__(self):
        return self.hub_name or "installation"
