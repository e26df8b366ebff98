"""What every route answers to every role: one declaration per URL name, for the route matrix.

Roles: "anon" (not signed in), "member" (enterprise X's owner), "other" (enterprise Y's
owner, the same park), "pending" (an enterprise registered and not yet verified), "reviewer"
and "admin" (the park's staff); on the hub "hub" (the city hub operator). Groups name several
at once: "enterprise" (member, other, pending), "staff" (reviewer, admin), "users" (every
signed-in role) and "all". The most specific entry wins.

Answers: "ok" (2xx, or a redirect within the site), "login" (the sign-in page, or 401 from
the API), "403", "404", "405", "400", "409". For routes with an object in the path:
  "own"   the role's own enterprise's object is "ok", every other object is a 404;
  "park"  the park's objects (X's and Y's) are "ok", park B's is a 404;
  or a dict by object: {"x": ..., "y": ..., "b": ...}.

`get` is what a GET answers. `write` is what a refused POST (pages) or every unsafe
operation of the schema (API) answers; by default a role refused a GET is refused a write
the same way, and a role that may read is not sent a write (only refusals are checked).
`objects` maps a path parameter to an object kind of route_world; `fixed` gives a value.
"""

from dataclasses import dataclass, field

GROUPS = {
    "member": ("enterprise", "users"),
    "other": ("enterprise", "users"),
    "pending": ("enterprise", "users"),
    "reviewer": ("staff", "users"),
    "admin": ("staff", "users"),
    "hub": ("users",),
    "anon": (),
}
OWNERS = {"member": "x", "other": "y"}
# Making the OpenAPI schema takes seconds; these roles cover who can see it.
SCHEMA_ROLES = ("anon", "member", "admin", "hub", "beta")


@dataclass
class D:
    get: dict
    write: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)
    posts: bool = True  # pages: whether refused POSTs are sent
    roles: tuple | None = None  # only these roles are sent (None: every role)

    def answer(self, table: dict, role: str, variant: str) -> str | None:
        for name in (role, *GROUPS[role], "all"):
            if name in table:
                value = table[name]
                break
        else:
            return None
        if isinstance(value, dict):
            return value.get(variant, value.get("*"))
        if value == "own":
            return "ok" if OWNERS.get(role) == variant else "404"
        if value == "park":
            return "404" if variant == "b" else "ok"
        return value


def _skeleton():
    return D(get={"all": "?"})

TENANT = {
    'home': D(get={'all': '?'}),  # /
    'accounts:login': D(get={'all': '?'}),  # /accounts/login/
    'accounts:logout': D(get={'all': '?'}, posts=False),  # /accounts/logout/
    'accounts:password_reset': D(get={'all': '?'}),  # /accounts/password/reset/
    'accounts:password_reset_done': D(get={'all': '?'}),  # /accounts/password/reset/sent/
    'accounts:password_reset_confirm': D(get={'all': '?'}, fixed={'uidb64': 'MQ', 'token': 'set-password'}),  # /accounts/password/set/<uidb64>/<token>/
    'accounts:password_reset_complete': D(get={'all': '?'}),  # /accounts/password/set/done/
    'accounts:language': D(get={'all': '?'}),  # /accounts/language/
    'accounts:tokens': D(get={'all': '?'}),  # /accounts/tokens/
    'accounts:token_revoke': D(get={'all': '?'}, objects={'pk': 'token'}),  # /accounts/tokens/<int:pk>/revoke/
    'enterprises:register': D(get={'all': '?'}),  # /register/
    'enterprises:profile': D(get={'all': '?'}),  # /enterprise/
    'enterprises:profile_edit': D(get={'all': '?'}),  # /enterprise/edit/
    'enterprises:resubmit': D(get={'all': '?'}),  # /enterprise/resubmit/
    'enterprises:figures': D(get={'all': '?'}),  # /enterprise/figures/
    'enterprises:members': D(get={'all': '?'}),  # /enterprise/members/
    'enterprises:park_list': D(get={'all': '?'}),  # /park/enterprises/
    'enterprises:park_new': D(get={'all': '?'}),  # /park/enterprises/new/
    'enterprises:park_detail': D(get={'all': '?'}, objects={'pk': 'enterprise'}),  # /park/enterprises/<int:pk>/
    'enterprises:park_edit': D(get={'all': '?'}, objects={'pk': 'enterprise'}),  # /park/enterprises/<int:pk>/edit/
    'enterprises:park_verify': D(get={'all': '?'}, objects={'pk': 'enterprise'}),  # /park/enterprises/<int:pk>/verify/
    'enterprises:park_reject': D(get={'all': '?'}, objects={'pk': 'enterprise'}),  # /park/enterprises/<int:pk>/reject/
    'enterprises:park_invitation_resend': D(get={'all': '?'}, objects={'pk': 'enterprise', 'membership_pk': 'membership'}),  # /park/enterprises/<int:pk>/members/<int:membership_pk>/invitation/
    'funding:programme_list': D(get={'all': '?'}),  # /park/programmes/
    'funding:programme_new': D(get={'all': '?'}),  # /park/programmes/new/
    'funding:programme_detail': D(get={'all': '?'}, objects={'pk': 'programme'}),  # /park/programmes/<int:pk>/
    'funding:programme_edit': D(get={'all': '?'}, objects={'pk': 'programme'}),  # /park/programmes/<int:pk>/edit/
    'funding:programme_stages': D(get={'all': '?'}, objects={'pk': 'programme'}),  # /park/programmes/<int:pk>/stages/
    'funding:programme_open': D(get={'all': '?'}, objects={'pk': 'programme'}),  # /park/programmes/<int:pk>/open/
    'funding:programme_close': D(get={'all': '?'}, objects={'pk': 'programme'}),  # /park/programmes/<int:pk>/close/
    'applications:programmes': D(get={'all': '?'}),  # /programmes/
    'applications:programme': D(get={'all': '?'}, objects={'pk': 'programme'}),  # /programmes/<int:pk>/
    'applications:list': D(get={'all': '?'}),  # /applications/
    'applications:new': D(get={'all': '?'}, objects={'programme_id': 'programme'}),  # /applications/new/<int:programme_id>/
    'applications:detail': D(get={'all': '?'}, objects={'pk': 'application'}),  # /applications/<int:pk>/
    'applications:edit': D(get={'all': '?'}, objects={'pk': 'application'}),  # /applications/<int:pk>/edit/
    'applications:submit': D(get={'all': '?'}, objects={'pk': 'application'}),  # /applications/<int:pk>/submit/
    'applications:withdraw': D(get={'all': '?'}, objects={'pk': 'application'}),  # /applications/<int:pk>/withdraw/
    'applications:attachment_upload': D(get={'all': '?'}, objects={'pk': 'application'}),  # /applications/<int:pk>/attachments/
    'applications:attachment': D(get={'all': '?'}, objects={'pk': 'application', 'attachment_id': 'application_attachment'}),  # /applications/<int:pk>/attachments/<int:attachment_id>/
    'applications:attachment_remove': D(get={'all': '?'}, objects={'pk': 'application', 'attachment_id': 'application_attachment'}),  # /applications/<int:pk>/attachments/<int:attachment_id>/remove/
    'applications:notice': D(get={'all': '?'}),  # /notice/
    'applications:objection': D(get={'all': '?'}, objects={'application_id': 'application'}),  # /notice/<int:application_id>/object/
    'applications_staff:queue': D(get={'all': '?'}),  # /park/applications/
    'applications_staff:detail': D(get={'all': '?'}, objects={'pk': 'application'}),  # /park/applications/<int:pk>/
    'applications_staff:act': D(get={'all': '?'}, objects={'pk': 'application'}, fixed={'action': 'advance'}),  # /park/applications/<int:pk>/act/<slug:action>/
    'applications_staff:attachment': D(get={'all': '?'}, objects={'pk': 'application', 'attachment_pk': 'application_attachment'}),  # /park/applications/<int:pk>/documents/<int:attachment_pk>/
    'notifications:list': D(get={'all': '?'}),  # /notifications/
    'notifications:mark_all_read': D(get={'all': '?'}),  # /notifications/read/
    'notifications:open': D(get={'all': '?'}, objects={'pk': 'notification'}),  # /notifications/<int:pk>/
    'demands:list': D(get={'all': '?'}),  # /demands/
    'demands:new': D(get={'all': '?'}),  # /demands/new/
    'demands:detail': D(get={'all': '?'}, objects={'pk': 'demand'}),  # /demands/<int:pk>/
    'demands:attachment': D(get={'all': '?'}, objects={'pk': 'demand', 'attachment_pk': 'demand_attachment'}),  # /demands/<int:pk>/files/<int:attachment_pk>/
    'demands:act': D(get={'all': '?'}, objects={'pk': 'demand'}, fixed={'action': 'accept'}),  # /demands/<int:pk>/act/<str:action>/
    'demands:queue': D(get={'all': '?'}),  # /park/demands/
    'demands:supervision': D(get={'all': '?'}),  # /park/demands/supervision/
    'demands:figures': D(get={'all': '?'}),  # /park/demands/figures/
    'demands:limits': D(get={'all': '?'}),  # /park/demands/limits/
    'demands:park_detail': D(get={'all': '?'}, objects={'pk': 'demand'}),  # /park/demands/<int:pk>/
    'billing:catalogue': D(get={'all': '?'}),  # /services/
    'billing:mine': D(get={'all': '?'}),  # /services/mine/
    'billing:service': D(get={'all': '?'}, objects={'pk': 'service'}),  # /services/<int:pk>/
    'billing:checkout': D(get={'all': '?'}, objects={'pk': 'service'}),  # /services/<int:pk>/checkout/
    'billing:subscription': D(get={'all': '?'}, objects={'pk': 'subscription'}),  # /services/subscriptions/<int:pk>/
    'billing:subscription_pay': D(get={'all': '?'}, objects={'pk': 'subscription'}),  # /services/subscriptions/<int:pk>/pay/
    'billing:subscription_transfer': D(get={'all': '?'}, objects={'pk': 'subscription'}),  # /services/subscriptions/<int:pk>/transfer/
    'billing:subscription_cancel': D(get={'all': '?'}, objects={'pk': 'subscription'}),  # /services/subscriptions/<int:pk>/cancel/
    'billing:park_catalogue': D(get={'all': '?'}),  # /park/services/
    'billing:park_service_new': D(get={'all': '?'}),  # /park/services/new/
    'billing:park_service_edit': D(get={'all': '?'}, objects={'pk': 'service'}),  # /park/services/<int:pk>/edit/
    'billing:park_provider_new': D(get={'all': '?'}),  # /park/services/providers/new/
    'billing:park_subscriptions': D(get={'all': '?'}),  # /park/services/subscriptions/
    'billing:park_confirm_transfer': D(get={'all': '?'}, objects={'pk': 'subscription'}),  # /park/services/subscriptions/<int:pk>/confirm-transfer/
    'billing:park_refund': D(get={'all': '?'}, objects={'pk': 'subscription'}),  # /park/services/subscriptions/<int:pk>/refund/
    'billing:park_vouchers': D(get={'all': '?'}),  # /park/services/vouchers/
    'billing:park_voucher_void': D(get={'all': '?'}, objects={'pk': 'voucher'}),  # /park/services/vouchers/<int:pk>/void/
    'billing:park_revenue': D(get={'all': '?'}),  # /park/services/revenue/
    'matching:report': D(get={'all': '?'}),  # /matching/
    'matching:report_pdf': D(get={'all': '?'}),  # /matching/report.pdf
    'matching:auto_decline': D(get={'all': '?'}),  # /matching/auto/<int:pk>/decline/
    'matching:overview': D(get={'all': '?'}),  # /park/matching/
    'matching:rules': D(get={'all': '?'}, objects={'pk': 'programme'}),  # /park/programmes/<int:pk>/eligibility/
    'matching:qualifying': D(get={'all': '?'}, objects={'pk': 'programme'}),  # /park/programmes/<int:pk>/qualifying/
    'matching:push': D(get={'all': '?'}, objects={'pk': 'programme'}),  # /park/programmes/<int:pk>/push/
    'enterprise_import:upload': D(get={'all': '?'}),  # /park/enterprises/import/
    'enterprise_import:template': D(get={'all': '?'}),  # /park/enterprises/import/template.xlsx
    'enterprise_import:batch': D(get={'all': '?'}),  # /park/enterprises/import/<uuid:batch_id>/
    'enterprise_import:confirm': D(get={'all': '?'}),  # /park/enterprises/import/<uuid:batch_id>/confirm/
    'enterprise_import:discard': D(get={'all': '?'}),  # /park/enterprises/import/<uuid:batch_id>/discard/
    'enterprise_import:progress': D(get={'all': '?'}),  # /park/enterprises/import/<uuid:batch_id>/progress.json
    'api:token': D(get={'all': '?'}),  # /api/v1/auth/token/
    'api:token-list': D(get={'all': '?'}),  # /api/v1/auth/tokens/
    'api:token-detail': D(get={'all': '?'}, objects={'pk': 'token'}),  # /api/v1/auth/tokens/<int:pk>/
    'api:me': D(get={'all': '?'}),  # /api/v1/me/
    'api:enterprise-list': D(get={'all': '?'}),  # /api/v1/enterprises/
    'api:enterprise-detail': D(get={'all': '?'}, objects={'pk': 'enterprise'}),  # /api/v1/enterprises/<int:pk>/
    'api:enterprise-verify': D(get={'all': '?'}, objects={'pk': 'enterprise'}),  # /api/v1/enterprises/<int:pk>/verify/
    'api:enterprise-reject': D(get={'all': '?'}, objects={'pk': 'enterprise'}),  # /api/v1/enterprises/<int:pk>/reject/
    'api:enterprise-figures': D(get={'all': '?'}, objects={'pk': 'enterprise'}),  # /api/v1/enterprises/<int:pk>/figures/
    'api:my-enterprise': D(get={'all': '?'}),  # /api/v1/me/enterprise/
    'api:programme-list': D(get={'all': '?'}),  # /api/v1/programmes/
    'api:programme-detail': D(get={'all': '?'}, objects={'pk': 'programme'}),  # /api/v1/programmes/<int:pk>/
    'api:programme-open': D(get={'all': '?'}, objects={'pk': 'programme'}),  # /api/v1/programmes/<int:pk>/open/
    'api:programme-close': D(get={'all': '?'}, objects={'pk': 'programme'}),  # /api/v1/programmes/<int:pk>/close/
    'api:application-list': D(get={'all': '?'}),  # /api/v1/applications/
    'api:application-detail': D(get={'all': '?'}, objects={'pk': 'application'}),  # /api/v1/applications/<int:pk>/
    'api:application-action': D(get={'all': '?'}, objects={'pk': 'application'}, fixed={'action': 'withdraw'}),  # /api/v1/applications/<int:pk>/actions/<str:action>/
    'api:application-timeline': D(get={'all': '?'}, objects={'pk': 'application'}),  # /api/v1/applications/<int:pk>/timeline/
    'api:application-attachments': D(get={'all': '?'}, objects={'pk': 'application'}),  # /api/v1/applications/<int:pk>/attachments/
    'api:application-attachment': D(get={'all': '?'}, objects={'pk': 'application', 'attachment_pk': 'application_attachment'}),  # /api/v1/applications/<int:pk>/attachments/<int:attachment_pk>/
    'api:public-notice': D(get={'all': '?'}),  # /api/v1/notice/
    'api:public-notice-objection': D(get={'all': '?'}, objects={'application_pk': 'application'}),  # /api/v1/notice/<int:application_pk>/objections/
    'api:notification-list': D(get={'all': '?'}),  # /api/v1/notifications/
    'api:notification-read': D(get={'all': '?'}),  # /api/v1/notifications/read/
    'api:demand-list': D(get={'all': '?'}),  # /api/v1/demands/
    'api:demand-supervision': D(get={'all': '?'}),  # /api/v1/demands/supervision/
    'api:demand-figures': D(get={'all': '?'}),  # /api/v1/demands/figures/
    'api:demand-categories': D(get={'all': '?'}),  # /api/v1/demands/categories/
    'api:demand-detail': D(get={'all': '?'}, objects={'pk': 'demand'}),  # /api/v1/demands/<int:pk>/
    'api:demand-attachments': D(get={'all': '?'}, objects={'pk': 'demand'}),  # /api/v1/demands/<int:pk>/attachments/
    'api:demand-attachment-file': D(get={'all': '?'}, objects={'pk': 'demand', 'attachment_pk': 'demand_attachment'}),  # /api/v1/demands/<int:pk>/attachments/<int:attachment_pk>/
    'api:demand-action': D(get={'all': '?'}, objects={'pk': 'demand'}, fixed={'action': 'accept'}),  # /api/v1/demands/<int:pk>/<str:action>/
    'api:billing-service-list': D(get={'all': '?'}),  # /api/v1/billing/services/
    'api:billing-service-detail': D(get={'all': '?'}, objects={'pk': 'service'}),  # /api/v1/billing/services/<int:pk>/
    'api:billing-service-ratings': D(get={'all': '?'}, objects={'pk': 'service'}),  # /api/v1/billing/services/<int:pk>/ratings/
    'api:billing-service-entitlement': D(get={'all': '?'}, objects={'pk': 'service'}),  # /api/v1/billing/services/<int:pk>/entitlement/
    'api:billing-provider-list': D(get={'all': '?'}),  # /api/v1/billing/providers/
    'api:billing-provider-ranking': D(get={'all': '?'}),  # /api/v1/billing/providers/ranking/
    'api:billing-subscription-list': D(get={'all': '?'}),  # /api/v1/billing/subscriptions/
    'api:billing-subscription-detail': D(get={'all': '?'}, objects={'pk': 'subscription'}),  # /api/v1/billing/subscriptions/<int:pk>/
    'api:billing-subscription-pay': D(get={'all': '?'}, objects={'pk': 'subscription'}),  # /api/v1/billing/subscriptions/<int:pk>/pay/
    'api:billing-subscription-transfer': D(get={'all': '?'}, objects={'pk': 'subscription'}),  # /api/v1/billing/subscriptions/<int:pk>/transfer/
    'api:billing-subscription-confirm-transfer': D(get={'all': '?'}, objects={'pk': 'subscription'}),  # /api/v1/billing/subscriptions/<int:pk>/confirm-transfer/
    'api:billing-subscription-cancel': D(get={'all': '?'}, objects={'pk': 'subscription'}),  # /api/v1/billing/subscriptions/<int:pk>/cancel/
    'api:billing-subscription-refund': D(get={'all': '?'}, objects={'pk': 'subscription'}),  # /api/v1/billing/subscriptions/<int:pk>/refund/
    'api:billing-voucher-list': D(get={'all': '?'}),  # /api/v1/billing/vouchers/
    'api:billing-voucher-detail': D(get={'all': '?'}, objects={'pk': 'voucher'}),  # /api/v1/billing/vouchers/<int:pk>/
    'api:billing-voucher-void': D(get={'all': '?'}, objects={'pk': 'voucher'}),  # /api/v1/billing/vouchers/<int:pk>/void/
    'api:billing-revenue': D(get={'all': '?'}),  # /api/v1/billing/revenue/
    'api:match-report': D(get={'all': '?'}),  # /api/v1/matching/report/
    'api:auto-application-decline': D(get={'all': '?'}),  # /api/v1/matching/auto-applications/<int:pk>/decline/
    'api:programme-eligibility': D(get={'all': '?'}, objects={'pk': 'programme'}),  # /api/v1/programmes/<int:pk>/eligibility/
    'api:programme-qualifying': D(get={'all': '?'}, objects={'pk': 'programme'}),  # /api/v1/programmes/<int:pk>/qualifying/
    'api:programme-push': D(get={'all': '?'}, objects={'pk': 'programme'}),  # /api/v1/programmes/<int:pk>/push/
    'api:push-run': D(get={'all': '?'}),  # /api/v1/matching/push-runs/<int:pk>/
    'api:schema': D(get={'all': '?'}, roles=SCHEMA_ROLES),  # /api/v1/schema/
    'api:docs': D(get={'all': '?'}),  # /api/v1/docs/
    'media': D(get={'all': '?'}, objects={'name': 'media'}),  # /media/<path:name>
}

HUB = {
    'hub:home': D(get={'all': '?'}),  # /
    'hub:tenant_suspend': D(get={'all': '?'}, objects={'slug': 'tenant'}),  # /tenants/<slug:slug>/suspend/
    'hub:tenant_reactivate': D(get={'all': '?'}, objects={'slug': 'tenant'}),  # /tenants/<slug:slug>/reactivate/
    'hub:dashboard': D(get={'all': '?'}),  # /dashboard/
    'hub:wall': D(get={'all': '?'}),  # /dashboard/wall/
    'hub:duplicates': D(get={'all': '?'}),  # /dashboard/duplicate-awards/
    'hub:tenant_dashboard': D(get={'all': '?'}, objects={'slug': 'tenant'}),  # /dashboard/tenants/<slug:slug>/
    'hub:installation': D(get={'all': '?'}),  # /installation/
    'accounts:login': D(get={'all': '?'}),  # /accounts/login/
    'accounts:logout': D(get={'all': '?'}, posts=False),  # /accounts/logout/
    'accounts:password_reset': D(get={'all': '?'}),  # /accounts/password/reset/
    'accounts:password_reset_done': D(get={'all': '?'}),  # /accounts/password/reset/sent/
    'accounts:password_reset_confirm': D(get={'all': '?'}, fixed={'uidb64': 'MQ', 'token': 'set-password'}),  # /accounts/password/set/<uidb64>/<token>/
    'accounts:password_reset_complete': D(get={'all': '?'}),  # /accounts/password/set/done/
    'accounts:language': D(get={'all': '?'}),  # /accounts/language/
    'accounts:tokens': D(get={'all': '?'}),  # /accounts/tokens/
    'accounts:token_revoke': D(get={'all': '?'}),  # /accounts/tokens/<int:pk>/revoke/
    'payments:stripe_webhook': D(get={'all': '?'}),  # /stripe/webhook/
    'citywide:list': D(get={'all': '?'}),  # /city-programmes/
    'citywide:detail': D(get={'all': '?'}),  # /city-programmes/<int:pk>/
    'workcalendar:calendar': D(get={'all': '?'}),  # /calendar/
    'api:token': D(get={'all': '?'}),  # /api/v1/auth/token/
    'api:token-list': D(get={'all': '?'}),  # /api/v1/auth/tokens/
    'api:token-detail': D(get={'all': '?'}),  # /api/v1/auth/tokens/<int:pk>/
    'api:tenant-list': D(get={'all': '?'}),  # /api/v1/hub/tenants/
    'api:tenant-detail': D(get={'all': '?'}, objects={'slug': 'tenant'}),  # /api/v1/hub/tenants/<slug:slug>/
    'api:tenant-suspend': D(get={'all': '?'}, objects={'slug': 'tenant'}),  # /api/v1/hub/tenants/<slug:slug>/suspend/
    'api:tenant-reactivate': D(get={'all': '?'}, objects={'slug': 'tenant'}),  # /api/v1/hub/tenants/<slug:slug>/reactivate/
    'api:hub-stats': D(get={'all': '?'}),  # /api/v1/hub/stats/
    'api:city-programme-list': D(get={'all': '?'}),  # /api/v1/hub/city-programmes/
    'api:city-programme-detail': D(get={'all': '?'}),  # /api/v1/hub/city-programmes/<int:pk>/
    'api:schema': D(get={'all': '?'}, roles=SCHEMA_ROLES),  # /api/v1/schema/
    'api:docs': D(get={'all': '?'}),  # /api/v1/docs/
    'media': D(get={'all': '?'}, objects={'name': 'media'}),  # /media/<path:name>
}

SITES = {'tenant': TENANT, 'hub': HUB}
