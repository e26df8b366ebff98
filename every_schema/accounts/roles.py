"""The roles of ParkHub, as auth groups in each schema.

A role's permissions are listed by codename; apps added later append theirs here, and
`roles_sync` (run at provisioning and after every migrate) gives each group the ones
that exist in that schema.
"""

from django.utils.translation import gettext_lazy as _

HUB_OPERATOR = "hub_operator"
PARK_ADMIN = "park_admin"
REVIEWER = "reviewer"
ENTERPRISE_USER = "enterprise_user"
INSTITUTION_ADMIN = "institution_admin"
INSTITUTION_STAFF = "institution_staff"
EXPERT = "expert"

ROLE_NAMES = {
    HUB_OPERATOR: _("City hub operator"),
    PARK_ADMIN: _("Park administrator"),
    REVIEWER: _("Reviewer"),
    ENTERPRISE_USER: _("Enterprise user"),
    INSTITUTION_ADMIN: _("Institution administrator"),
    INSTITUTION_STAFF: _("Institution staff"),
    EXPERT: _("Expert"),
}

# Roles present in the hub (public schema) and in every tenant schema.
HUB_ROLES = (HUB_OPERATOR,)
# Every tenant schema carries them all (spares and the template do not know yet which kind of
# tenant they will become); an institution's site gives its people only the institution roles.
TENANT_ROLES = (PARK_ADMIN, REVIEWER, ENTERPRISE_USER, INSTITUTION_ADMIN, INSTITUTION_STAFF, EXPERT)
INSTITUTION_ROLES = (INSTITUTION_ADMIN, INSTITUTION_STAFF)

# role -> permission codenames ("app_label.codename"); "*" gives all of an app.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    HUB_OPERATOR: ["tenants.*"],
    PARK_ADMIN: ["accounts.*", "auth.view_group", "enterprises.*", "billing.*"],
    REVIEWER: ["enterprises.view_enterprise", "enterprises.view_yearlyfigures", "enterprises.view_tag"],
    ENTERPRISE_USER: [],
}
# Value-added services: park staff read the catalogue, subscriptions and revenue; enterprises
# reach their own through scoped selectors, which need no model permission.
ROLE_PERMISSIONS[REVIEWER] += ["billing.view_service", "billing.view_subscription", "billing.view_provider"]
# Demands: park administrators manage them and their category time limits; reviewers handle the ones
# assigned to them through scoped selectors and read the rest.
ROLE_PERMISSIONS[PARK_ADMIN] += ["demands.*"]
ROLE_PERMISSIONS[REVIEWER] += [
    "demands.view_demand",
    "demands.view_demandevent",
    "demands.view_categorypolicy",
]
# Service institutions (their own site): the administrator manages the institution's accounts;
# profile, products and orders are reached through the network's scoped selectors, which need
# no model permission (the network's tables live in the public schema).
ROLE_PERMISSIONS[INSTITUTION_ADMIN] = ["accounts.*", "auth.view_group"]
ROLE_PERMISSIONS[INSTITUTION_STAFF] = []
# Experts (评审专家) reach their own cases through scoped selectors (tenant_schema.expert_review): no model permission.
ROLE_PERMISSIONS[EXPERT] = []
