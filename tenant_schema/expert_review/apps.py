from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertReviewConfig(AppConfig):
    name = "tenant_schema.expert_review"
    label = "expert_review"
    verbose_name = _("Expert review")
