"""What every route answers to every role: one declaration per URL name, for the route matrix.

Roles: "anon" (not signed in), "member" (enterprise X's owner), "other" (enterprise Y's
owner, the same park), "pending" (an enterprise registered and not yet verified), "reviewer"
and "admin" (the park's staff); on the hub "hub" (the city hub operator). Groups name several
at once: "enterprise" (member, other, pending), "staff" (reviewer, admin), "users" (every
signed-in role) and "all". The most specific entry wins.

Answers: "ok" (2xx), "moved" (a redirect within the site: to the page the role has, or
after a POST), "login" (the sign-in page, or 401 from the API), "403", "404", "405", "400", "409". For routes with an object in the path:
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
    "beta": ("users",),
    "iadmin": ("institution", "users"),
    "istaff": ("institution", "users"),
    "anon": (),
}
OWNERS = {"member": "x", "other": "y"}
# Making the OpenAPI schema takes seconds: a visitor, a user of the site and a stranger to it.
SCHEMA_ROLES = ("anon", "member", "hub")


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


# Shorthands for the common shapes.
LOGIN = {"anon": "login"}
SIGNED_IN = {"anon": "login", "users": "ok"}
ENTERPRISE_PAGE = {"anon": "login", "enterprise": "ok", "staff": "404"}
STAFF_PAGE = {"anon": "login", "enterprise": "404", "staff": "ok"}
ADMIN_PAGE = {"anon": "login", "enterprise": "404", "reviewer": "403", "admin": "ok"}
# An object of an enterprise: its own people, and the park's staff, see it.
ENTERPRISE_OBJECT = {"anon": "login", "member": "own", "other": "own", "pending": "404", "staff": "park"}
STAFF_OBJECT = {"anon": "login", "enterprise": "404", "staff": "park"}
# The reviewer sees the park's object but may not change it: 403 for the park's, 404 for park B's.
SEEN_NOT_CHANGED = {"x": "403", "y": "403", "b": "404"}
# Only POST: a GET is 405 (the API asks for credentials first).
POST_ONLY = {"all": "405"}
# Signed-in users are sent on from the sign-in and registration pages.
VISITORS_ONLY = {"anon": "ok", "users": "moved"}
# Staff asking for an enterprise's page of an object are sent to the park's page of it.
PARK_MOVED = {"x": "moved", "y": "moved", "b": "404"}
API_POST_ONLY = {"anon": "login", "users": "405"}
# Network vouchers: pages and API of this site as an issuer, for its park administrators only.
ISSUER_PAGE = {"anon": "login", "users": "404", "admin": "ok"}
ISSUER_POST_ONLY = {"anon": "login", "users": "404", "admin": "405"}
# The expert review's outcome of an application: its own enterprise only (the park has the stage page).
EXPERT_OUTCOME = {"anon": "login", "member": "own", "other": "own", "pending": "404", "staff": "404"}
# A route whose object the matrix does not build: nobody finds it.
NOT_HERE = {"anon": "login", "users": "404"}


def own_then(answer):
    """The role's own object answers `answer` (a refusal by state, say); every other is a 404."""
    return {
        "member": {"x": answer, "y": "404", "b": "404"},
        "other": {"y": answer, "x": "404", "b": "404"},
        "pending": "404",
    }


TENANT = {
    "home": D(get={"all": "ok"}),
    # Signing in, out and resetting a password: open to everyone; nothing to refuse.
    "accounts:login": D(get=VISITORS_ONLY),
    "accounts:logout": D(get=POST_ONLY, posts=False),
    "accounts:password_reset": D(get={"all": "ok"}),
    "accounts:password_reset_done": D(get={"all": "ok"}, posts=False),
    "accounts:password_reset_confirm": D(get={"all": "ok"}, fixed={"uidb64": "MQ", "token": "set-password"}),
    "accounts:password_reset_complete": D(get={"all": "ok"}, posts=False),
    "accounts:language": D(get=POST_ONLY),
    "accounts:tokens": D(get=SIGNED_IN),
    "accounts:token_revoke": D(
        get=POST_ONLY,
        objects={"pk": "token"},
        write={"anon": "login", "member": "own", "other": "own", "pending": "404", "staff": "404"},
    ),
    # Enterprises: the enterprise's own pages, and the park's.
    "enterprises:register": D(get=VISITORS_ONLY),
    "enterprises:profile": D(get={**ENTERPRISE_PAGE, "staff": "moved"}),
    "enterprises:profile_edit": D(get=ENTERPRISE_PAGE),
    "enterprises:resubmit": D(get=POST_ONLY, write={"anon": "login", "staff": "404"}),
    "enterprises:figures": D(get=ENTERPRISE_PAGE),
    "enterprises:members": D(get=ENTERPRISE_PAGE),
    "enterprises:park_list": D(get=ADMIN_PAGE),  # the register: not a reviewer's to browse
    "enterprises:park_new": D(get=ADMIN_PAGE),
    "enterprises:park_detail": D(get=STAFF_OBJECT, objects={"pk": "enterprise"}),
    "enterprises:park_edit": D(
        get={**STAFF_OBJECT, "reviewer": SEEN_NOT_CHANGED}, objects={"pk": "enterprise"}
    ),
    "enterprises:park_verify": D(
        get=POST_ONLY, objects={"pk": "enterprise"}, write={**STAFF_OBJECT, "reviewer": SEEN_NOT_CHANGED}
    ),
    "enterprises:park_reject": D(
        get=POST_ONLY, objects={"pk": "enterprise"}, write={**STAFF_OBJECT, "reviewer": SEEN_NOT_CHANGED}
    ),
    "enterprises:park_invitation_resend": D(
        get=POST_ONLY,
        objects={"pk": "enterprise", "membership_pk": "membership"},
        write={**STAFF_OBJECT, "reviewer": SEEN_NOT_CHANGED},
    ),
    "enterprise_import:upload": D(get={**ADMIN_PAGE, "reviewer": "404"}),
    "enterprise_import:template": D(get={**ADMIN_PAGE, "reviewer": "404"}, posts=False),
    # No import batch is made: a batch id that does not exist is a 404 for every role.
    "enterprise_import:batch": D(get={"anon": "login", "users": "404"}, posts=False),
    "enterprise_import:progress": D(get={"anon": "login", "users": "404"}, posts=False),
    "enterprise_import:confirm": D(get=POST_ONLY, write={"anon": "login", "users": "404"}),
    "enterprise_import:discard": D(get=POST_ONLY, write={"anon": "login", "users": "404"}),
    # Programmes: the park's pages.
    "funding:programme_list": D(get=STAFF_PAGE),
    "funding:programme_new": D(get=ADMIN_PAGE),
    "funding:programme_detail": D(get=STAFF_OBJECT, objects={"pk": "programme"}),
    "funding:programme_edit": D(
        get={**STAFF_OBJECT, "reviewer": SEEN_NOT_CHANGED}, objects={"pk": "programme"}
    ),
    "funding:programme_stages": D(
        get=STAFF_OBJECT, objects={"pk": "programme"}, write={"reviewer": SEEN_NOT_CHANGED}
    ),
    "funding:programme_open": D(
        get=POST_ONLY, objects={"pk": "programme"}, write={**STAFF_OBJECT, "reviewer": SEEN_NOT_CHANGED}
    ),
    "funding:programme_close": D(
        get=POST_ONLY, objects={"pk": "programme"}, write={**STAFF_OBJECT, "reviewer": SEEN_NOT_CHANGED}
    ),
    "matching:overview": D(get=STAFF_PAGE),
    # Programme guides and forms (tenant_schema.programme_forms): the park's staff read, administrators change.
    "programme_forms:guide": D(
        get=STAFF_OBJECT, objects={"pk": "programme"}, write={"reviewer": SEEN_NOT_CHANGED}
    ),
    "programme_forms:builder": D(
        get=STAFF_OBJECT, objects={"pk": "programme"}, write={"reviewer": SEEN_NOT_CHANGED}
    ),
    "programme_forms:field_new": D(
        get=STAFF_OBJECT, objects={"pk": "programme"}, write={"reviewer": SEEN_NOT_CHANGED}
    ),
    "programme_forms:field": D(
        get=STAFF_OBJECT,
        objects={"pk": "programme"},
        fixed={"key": "f1"},
        write={"reviewer": SEEN_NOT_CHANGED},
    ),
    "programme_forms:item": D(
        get=POST_ONLY,
        objects={"pk": "programme"},
        fixed={"key": "f1"},
        write={**STAFF_OBJECT, "reviewer": SEEN_NOT_CHANGED},
    ),
    "programme_forms:publish": D(
        get=POST_ONLY, objects={"pk": "programme"}, write={**STAFF_OBJECT, "reviewer": SEEN_NOT_CHANGED}
    ),
    "programme_forms:export": D(get=STAFF_OBJECT, objects={"pk": "programme"}, posts=False),
    # The enterprise's form of its application; X's is submitted, so it is shown read-only.
    "programme_forms:fill": D(
        get={**ENTERPRISE_OBJECT, "staff": "moved"}, objects={"pk": "application"}, write={"staff": "404"}
    ),
    "matching:rules": D(get=STAFF_OBJECT, objects={"pk": "programme"}, write={"reviewer": SEEN_NOT_CHANGED}),
    "matching:qualifying": D(get=STAFF_OBJECT, objects={"pk": "programme"}),
    "matching:push": D(
        get=POST_ONLY, objects={"pk": "programme"}, write={**STAFF_OBJECT, "reviewer": SEEN_NOT_CHANGED}
    ),
    "matching:report": D(get=ENTERPRISE_PAGE),
    "matching:report_pdf": D(get=ENTERPRISE_PAGE),
    # No automatic application is made: a missing one is a 404 for everyone signed in.
    "matching:auto_decline": D(get=POST_ONLY, write={"anon": "login", "users": "404"}),
    # Applications, as the enterprise sees them (staff are sent to their own pages).
    "applications:programmes": D(get={"all": "ok"}),
    "applications:programme": D(get={"all": "park"}, objects={"pk": "programme"}),
    "applications:list": D(get={**ENTERPRISE_PAGE, "staff": "moved"}, write={"staff": "404"}),
    # X and Y already applied: they are sent to their application. A pending enterprise sees
    # the form but may not apply until the park verifies it.
    "applications:new": D(
        get={"anon": "login", "enterprise": {"x": "moved", "b": "404"}, "pending": "park", "staff": "404"},
        objects={"programme_id": "programme"},
        write={"pending": {"x": "400", "b": "404"}},
    ),
    # Staff are sent to the park's page whatever the id (it answers 404 for one it does not hold).
    "applications:detail": D(
        get={**ENTERPRISE_OBJECT, "staff": "moved"}, objects={"pk": "application"}, write={"staff": "404"}
    ),
    # A submitted application is no longer edited: its owner is sent back to it.
    "applications:edit": D(
        get={"anon": "login", **own_then("moved"), "staff": "moved"},
        objects={"pk": "application"},
        write={"staff": "404"},
    ),
    # X's application is already submitted: submitting it again is a 409.
    "applications:submit": D(
        get=POST_ONLY,
        objects={"pk": "application"},
        write={"anon": "login", **own_then("409"), "staff": "404"},
    ),
    "applications:withdraw": D(
        get={**ENTERPRISE_OBJECT, "staff": "moved"}, objects={"pk": "application"}, write={"staff": "404"}
    ),
    # Documents can no longer change on a submitted application: 400 for its owner.
    "applications:attachment_upload": D(
        get=POST_ONLY,
        objects={"pk": "application"},
        write={"anon": "login", **own_then("400"), "staff": "404"},
    ),
    "applications:attachment": D(
        get=ENTERPRISE_OBJECT, objects={"pk": "application", "attachment_id": "application_attachment"}
    ),
    "applications:attachment_remove": D(
        get=POST_ONLY,
        objects={"pk": "application", "attachment_id": "application_attachment"},
        write={"anon": "login", **own_then("400"), "staff": "404"},
    ),
    "applications:notice": D(get={"all": "ok"}),
    # X's award under public notice: anyone may read the objection form and object; park B's is not found.
    "applications:objection": D(get={"all": "park"}, objects={"application_id": "noticed_application"}),
    "applications_staff:queue": D(get=STAFF_PAGE),
    "applications_staff:detail": D(get=STAFF_OBJECT, objects={"pk": "application"}),
    # Stage 1 is the reviewers': the administrator's "advance" is refused with 409.
    "applications_staff:act": D(
        get=POST_ONLY,
        objects={"pk": "application"},
        fixed={"action": "advance"},
        write={**STAFF_OBJECT, "admin": {"x": "409", "y": "409", "b": "404"}},
    ),
    "applications_staff:attachment": D(
        get=STAFF_OBJECT, objects={"pk": "application", "attachment_pk": "application_attachment"}
    ),
    "notifications:list": D(get=SIGNED_IN),
    "notifications:mark_all_read": D(get=POST_ONLY, write=LOGIN),
    "notifications:open": D(
        get={"anon": "login", **own_then("moved"), "staff": "404"},
        objects={"pk": "notification"},
    ),
    # Demands.
    # The network catalogue (服务超市): every signed-in user may look; only a verified enterprise orders.
    "network_orders:catalogue": D(get=SIGNED_IN),
    "network_orders:product": D(
        get={"anon": "login", "users": "park"},
        objects={"pk": "network_product"},
        write={"pending": {"x": "400", "b": "404"}, "staff": "404"},
    ),
    "network_orders:mine": D(get={**ENTERPRISE_PAGE, "staff": "moved"}),
    "network_orders:order": D(get=ENTERPRISE_OBJECT, objects={"pk": "network_order"}),
    "network_orders:order_act": D(
        get={"anon": "login", "users": "405"},
        objects={"pk": "network_order"},
        # The matrix's empty form names no step: a 404 like an unknown action, for everyone.
        write={"anon": "login", "users": "404"},
    ),
    "network_orders:order_pay": D(
        get={"anon": "login", "users": "405"},
        objects={"pk": "network_order"},
        # Someone else's order is a 404; an order one sees is paid online only by its enterprise and
        # only when ordered so (the matrix's orders are transfers): 409.
        write={
            "anon": "login",
            "users": "404",
            "member": {"x": "409", "y": "404", "b": "404"},
            "other": {"x": "404", "y": "409", "b": "404"},
            "staff": {"x": "409", "y": "409", "b": "404"},
        },
    ),
    "network_orders:park_orders": D(get=STAFF_PAGE),
    # After the award (tenant_schema/awards): the award's enterprise and the park's staff see it.
    "awards:mine": D(get={**ENTERPRISE_PAGE, "staff": "moved"}),
    "awards:detail": D(get=ENTERPRISE_OBJECT, objects={"pk": "award"}),
    "awards:act": D(
        get={"anon": "login", "users": "405"},
        objects={"pk": "award"},
        # The matrix's empty form names no step: a 404 like an unknown one, for everyone.
        write={"anon": "login", "users": "404"},
    ),
    "awards:report_file": D(
        get=ENTERPRISE_OBJECT, objects={"pk": "award", "file_pk": "award_file"}, posts=False
    ),
    "awards:park_list": D(get=STAFF_PAGE),
    # Planning is the administrators' (the reviewer sees the park's award to plan: 403).
    "awards:park_plan": D(
        get={"anon": "login", "enterprise": "404", "reviewer": {"x": "403", "b": "404"}, "admin": "park"},
        objects={"application_pk": "noticed_application"},
    ),
    # Network demands (every_schema/network_demands): the enterprise's own, the unit's staff's copies.
    "network_demands:list": D(get=SIGNED_IN),
    "network_demands:new": D(get=SIGNED_IN, write={"anon": "login", "users": "400"}),
    "network_demands:detail": D(get=ENTERPRISE_OBJECT, objects={"pk": "network_demand"}),
    "network_demands:act": D(
        get={"anon": "login", "users": "405"},
        objects={"pk": "network_demand"},
        write={"anon": "login", "users": "404"},  # the empty form names no step
    ),
    "api:network-demand-list": D(get=SIGNED_IN, write={"anon": "login", "users": "400"}),
    "api:network-demand-detail": D(get=ENTERPRISE_OBJECT, objects={"pk": "network_demand"}),
    "api:network-demand-step": D(
        get={"anon": "login", "users": "405"},
        objects={"pk": "network_demand"},
        fixed={"action": "no-such-step"},
        write={"anon": "login", "users": "404"},
    ),
    "demands:list": D(get={**ENTERPRISE_PAGE, "staff": "moved"}),
    "demands:new": D(get=ENTERPRISE_PAGE),
    "demands:detail": D(get={**ENTERPRISE_OBJECT, "staff": PARK_MOVED}, objects={"pk": "demand"}),
    "demands:attachment": D(
        get=ENTERPRISE_OBJECT, objects={"pk": "demand", "attachment_pk": "demand_attachment"}
    ),
    # "accept" is the park's move: the enterprise's own people get a 409, everyone else a 404.
    "demands:act": D(
        get=POST_ONLY,
        objects={"pk": "demand"},
        fixed={"action": "accept"},
        write={"anon": "login", **own_then("409"), "staff": "park"},
    ),
    "demands:queue": D(get=STAFF_PAGE),
    "demands:supervision": D(get=STAFF_PAGE),
    "demands:figures": D(get=STAFF_PAGE),
    "demands:limits": D(get=STAFF_PAGE, write={"reviewer": "404"}),
    "demands:park_detail": D(get=STAFF_OBJECT, objects={"pk": "demand"}),
    # Value-added services.
    "billing:catalogue": D(get=SIGNED_IN),
    "billing:mine": D(get=ENTERPRISE_PAGE),
    "billing:service": D(get={"anon": "login", "users": "park"}, objects={"pk": "service"}),
    "billing:checkout": D(
        get={"anon": "login", "enterprise": "park", "staff": "404"}, objects={"pk": "service"}
    ),
    "billing:subscription": D(get=ENTERPRISE_OBJECT, objects={"pk": "subscription"}),
    "billing:subscription_pay": D(
        get=POST_ONLY,
        objects={"pk": "subscription"},
        write={"anon": "login", "member": "own", "other": "own", "pending": "404", "staff": "404"},
    ),
    "billing:subscription_transfer": D(
        get=POST_ONLY,
        objects={"pk": "subscription"},
        write={"anon": "login", "member": "own", "other": "own", "pending": "404", "staff": "404"},
    ),
    # Issue 14: a reviewer (view-only on billing) must not cancel anyone's order.
    "billing:subscription_cancel": D(
        get=POST_ONLY,
        objects={"pk": "subscription"},
        write={**ENTERPRISE_OBJECT, "reviewer": SEEN_NOT_CHANGED},
    ),
    "billing:park_catalogue": D(get=STAFF_PAGE),
    "billing:park_service_new": D(get=ADMIN_PAGE),
    "billing:park_service_edit": D(get=ADMIN_PAGE | {"admin": "park"}, objects={"pk": "service"}),
    "billing:park_provider_new": D(get=ADMIN_PAGE),
    "billing:park_subscriptions": D(get=STAFF_PAGE),
    "billing:park_confirm_transfer": D(
        get=POST_ONLY, objects={"pk": "subscription"}, write={**STAFF_OBJECT, "reviewer": SEEN_NOT_CHANGED}
    ),
    "billing:park_refund": D(
        get=POST_ONLY, objects={"pk": "subscription"}, write={**STAFF_OBJECT, "reviewer": SEEN_NOT_CHANGED}
    ),
    "billing:park_vouchers": D(get=STAFF_PAGE, write={"reviewer": "403"}),
    "billing:park_voucher_void": D(
        get=POST_ONLY, objects={"pk": "voucher"}, write={**STAFF_OBJECT, "reviewer": SEEN_NOT_CHANGED}
    ),
    "billing:park_revenue": D(get=ADMIN_PAGE),
    # The park's bank account for transfers: its administrator only (a reviewer reads it on orders).
    "billing:park_transfer_account": D(get=ADMIN_PAGE, write={"reviewer": "403"}),
    # Shared files: every signed-in user of the park; park B's file is not found here.
    "media": D(get={"anon": "login", "users": "park"}, objects={"name": "media"}),
    # The API. Roles refused a whole endpoint get 403 (no object is looked up); an object
    # the role may not see is a 404, whoever holds it.
    "api:token": D(get={"all": "405"}),
    "api:token-list": D(get=SIGNED_IN),
    "api:token-detail": D(
        get={"anon": "login", "member": "own", "other": "own", "pending": "404", "staff": "404"},
        objects={"pk": "token"},
    ),
    "api:me": D(get=SIGNED_IN),
    "api:my-enterprise": D(get=ENTERPRISE_PAGE),
    "api:enterprise-list": D(
        get={"anon": "login", "users": "ok", "reviewer": "403"},
        write={"enterprise": "403", "reviewer": "403"},
    ),
    "api:enterprise-detail": D(
        get=ENTERPRISE_OBJECT, objects={"pk": "enterprise"}, write={"reviewer": SEEN_NOT_CHANGED}
    ),
    "api:enterprise-figures": D(
        get=ENTERPRISE_OBJECT, objects={"pk": "enterprise"}, write={"reviewer": SEEN_NOT_CHANGED}
    ),
    # An enterprise may not verify or reject itself: 403 for its own, 404 for any other.
    "api:enterprise-verify": D(
        get=API_POST_ONLY,
        objects={"pk": "enterprise"},
        write={"anon": "login", **own_then("403"), "reviewer": SEEN_NOT_CHANGED, "admin": "park"},
    ),
    "api:enterprise-reject": D(
        get=API_POST_ONLY,
        objects={"pk": "enterprise"},
        write={"anon": "login", **own_then("403"), "reviewer": SEEN_NOT_CHANGED, "admin": "park"},
    ),
    "api:programme-list": D(get=SIGNED_IN, write={"enterprise": "403", "reviewer": "403"}),
    "api:programme-detail": D(
        get={"anon": "login", "users": "park"},
        objects={"pk": "programme"},
        write={"enterprise": SEEN_NOT_CHANGED, "reviewer": SEEN_NOT_CHANGED},
    ),
    "api:programme-open": D(
        get=API_POST_ONLY,
        objects={"pk": "programme"},
        write={
            "anon": "login",
            "enterprise": SEEN_NOT_CHANGED,
            "reviewer": SEEN_NOT_CHANGED,
            "admin": "park",
        },
    ),
    "api:programme-close": D(
        get=API_POST_ONLY,
        objects={"pk": "programme"},
        write={
            "anon": "login",
            "enterprise": SEEN_NOT_CHANGED,
            "reviewer": SEEN_NOT_CHANGED,
            "admin": "park",
        },
    ),
    "api:programme-eligibility": D(
        get=STAFF_OBJECT, objects={"pk": "programme"}, write={"reviewer": SEEN_NOT_CHANGED}
    ),
    "api:programme-qualifying": D(get=STAFF_OBJECT, objects={"pk": "programme"}),
    "api:programme-push": D(
        get=API_POST_ONLY,
        objects={"pk": "programme"},
        write={**STAFF_OBJECT, "reviewer": SEEN_NOT_CHANGED},
    ),
    "api:push-run": D(get={"anon": "login", "users": "404"}),
    "api:match-report": D(get=ENTERPRISE_PAGE),
    "api:auto-application-decline": D(get=API_POST_ONLY, write={"anon": "login", "users": "404"}),
    "api:application-list": D(get=SIGNED_IN, write={"staff": "403"}),
    "api:programme-form": D(get={"anon": "login", "users": "park"}, objects={"pk": "programme"}),
    "api:application-form": D(
        get=ENTERPRISE_OBJECT, objects={"pk": "application"}, write={"staff": SEEN_NOT_CHANGED}
    ),
    "api:application-detail": D(
        get=ENTERPRISE_OBJECT, objects={"pk": "application"}, write={"staff": SEEN_NOT_CHANGED}
    ),
    # "withdraw" is the enterprise's move: staff get a 409 (they see the application).
    "api:application-action": D(
        get=API_POST_ONLY,
        objects={"pk": "application"},
        fixed={"action": "withdraw"},
        write={**ENTERPRISE_OBJECT, "staff": {"x": "409", "y": "409", "b": "404"}},
    ),
    "api:application-timeline": D(get=ENTERPRISE_OBJECT, objects={"pk": "application"}),
    "api:application-attachments": D(
        get=ENTERPRISE_OBJECT, objects={"pk": "application"}, write={"staff": SEEN_NOT_CHANGED}
    ),
    "api:application-attachment": D(
        get=ENTERPRISE_OBJECT,
        objects={"pk": "application", "attachment_pk": "application_attachment"},
        write={"staff": SEEN_NOT_CHANGED},
    ),
    "api:public-notice": D(get={"all": "ok"}),
    # An empty objection to X's award is a 400; park B's award is not found.
    "api:public-notice-objection": D(
        get={"all": "405"},
        objects={"application_pk": "noticed_application"},
        write={"all": {"x": "400", "b": "404"}},
    ),
    "api:notification-list": D(get=SIGNED_IN),
    "api:notification-read": D(get=API_POST_ONLY, write=LOGIN),
    "api:demand-list": D(get=SIGNED_IN, write={"staff": "403"}),
    "api:demand-supervision": D(get={"anon": "login", "enterprise": "403", "staff": "ok"}),
    "api:demand-figures": D(get={"anon": "login", "enterprise": "403", "staff": "ok"}),
    "api:demand-categories": D(
        get={"anon": "login", "enterprise": "403", "staff": "ok"}, write={"reviewer": "403"}
    ),
    "api:demand-detail": D(get=ENTERPRISE_OBJECT, objects={"pk": "demand"}),
    # Files are the enterprise's to add: staff, who read the demand, are refused with 403.
    "api:demand-attachments": D(
        get=ENTERPRISE_OBJECT, objects={"pk": "demand"}, write={"staff": SEEN_NOT_CHANGED}
    ),
    "api:demand-attachment-file": D(
        get=ENTERPRISE_OBJECT, objects={"pk": "demand", "attachment_pk": "demand_attachment"}
    ),
    "api:demand-action": D(
        get=API_POST_ONLY,
        objects={"pk": "demand"},
        fixed={"action": "accept"},
        write={"anon": "login", **own_then("409"), "staff": "park"},
    ),
    "api:billing-service-list": D(get=SIGNED_IN, write={"enterprise": "403", "reviewer": "403"}),
    "api:billing-service-detail": D(
        get={"anon": "login", "users": "park"},
        objects={"pk": "service"},
        write={"enterprise": SEEN_NOT_CHANGED, "reviewer": SEEN_NOT_CHANGED},
    ),
    "api:billing-service-ratings": D(get={"anon": "login", "users": "park"}, objects={"pk": "service"}),
    "api:billing-service-entitlement": D(get={"anon": "login", "users": "park"}, objects={"pk": "service"}),
    "api:billing-provider-list": D(get=SIGNED_IN, write={"enterprise": "403", "reviewer": "403"}),
    "api:billing-provider-ranking": D(get=SIGNED_IN),
    "api:billing-subscription-list": D(get=SIGNED_IN),
    "api:billing-subscription-detail": D(get=ENTERPRISE_OBJECT, objects={"pk": "subscription"}),
    "api:billing-subscription-pay": D(
        get=API_POST_ONLY,
        objects={"pk": "subscription"},
        write={"anon": "login", "member": "own", "other": "own", "pending": "404", "staff": "404"},
    ),
    "api:billing-subscription-transfer": D(
        get=API_POST_ONLY,
        objects={"pk": "subscription"},
        write={"anon": "login", "member": "own", "other": "own", "pending": "404", "staff": "404"},
    ),
    # Issue 14: a reviewer could cancel any enterprise's order.
    "api:billing-subscription-cancel": D(
        get=API_POST_ONLY,
        objects={"pk": "subscription"},
        write={**ENTERPRISE_OBJECT, "reviewer": SEEN_NOT_CHANGED},
    ),
    # The park administrator's moves: everyone else is refused the endpoint (403) before any lookup.
    "api:billing-subscription-confirm-transfer": D(
        get={"anon": "login", "enterprise": "403", "reviewer": "403", "admin": "405"},
        objects={"pk": "subscription"},
        write={"admin": "park"},
    ),
    "api:billing-subscription-refund": D(
        get={"anon": "login", "enterprise": "403", "reviewer": "403", "admin": "405"},
        objects={"pk": "subscription"},
        write={"admin": "park"},
    ),
    "api:billing-voucher-list": D(get=SIGNED_IN, write={"enterprise": "403", "reviewer": "403"}),
    "api:billing-voucher-detail": D(get=ENTERPRISE_OBJECT, objects={"pk": "voucher"}),
    "api:billing-voucher-void": D(
        get={"anon": "login", "enterprise": "403", "reviewer": "403", "admin": "405"},
        objects={"pk": "voucher"},
        write={"admin": "park"},
    ),
    "api:billing-revenue": D(get={"anon": "login", "enterprise": "403", "reviewer": "403", "admin": "ok"}),
    # The network catalogue: every signed-in user may look; an order is placed only by a verified
    # enterprise (a 400 that says so); park staff read their enterprises' orders and take no step.
    "api:network-product-list": D(get=SIGNED_IN),
    "api:network-product-detail": D(
        get={"anon": "login", "users": "park"}, objects={"pk": "network_product"}
    ),
    # Awards: the plan is the administrators'; every other route starts from the award (outsiders: 404).
    "api:award-list": D(get=SIGNED_IN, write={"enterprise": "403", "reviewer": "403"}),
    "api:award-detail": D(get=ENTERPRISE_OBJECT, objects={"pk": "award"}),
    "api:award-action": D(
        get=API_POST_ONLY,
        objects={"pk": "award"},
        fixed={"action": "pass"},
        # Nobody passes an award not in acceptance: a 409 for whoever sees it.
        write={"anon": "login", **own_then("409"), "staff": {"x": "409", "b": "404"}},
    ),
    "api:award-reviewers": D(
        get=API_POST_ONLY,
        objects={"pk": "award"},
        write={
            "anon": "login",
            **own_then("403"),
            "reviewer": {"x": "403", "b": "404"},
            "admin": {"x": "400", "b": "404"},
        },
    ),
    "api:award-tranche-pay": D(
        get=API_POST_ONLY,
        objects={"pk": "award"},
        fixed={"position": 1},
        write={"anon": "login", **own_then("400"), "staff": {"x": "400", "b": "404"}},
    ),
    "api:award-report-action": D(
        get=API_POST_ONLY,
        objects={"pk": "award"},
        fixed={"kind": "midterm", "action": "accept"},
        write={"anon": "login", **own_then("409"), "staff": {"x": "409", "b": "404"}},
    ),
    "api:award-report-files": D(
        get=API_POST_ONLY,
        objects={"pk": "award"},
        fixed={"kind": "midterm"},
        # The enterprise's own people add files to a report still owed; staff do not (403).
        write={"anon": "login", **own_then("ok"), "staff": {"x": "403", "b": "404"}},
    ),
    "api:award-recoveries": D(
        get=API_POST_ONLY,
        objects={"pk": "award"},
        write={
            "anon": "login",
            **own_then("403"),
            "reviewer": {"x": "403", "b": "404"},
            "admin": {"x": "400", "b": "404"},
        },
    ),
    "api:award-recovery-action": D(
        get=API_POST_ONLY,
        objects={"pk": "award"},
        fixed={"action": "repay"},
        write={"anon": "login", **own_then("404"), "staff": "404"},
    ),
    "api:network-order-list": D(get=SIGNED_IN, write={"pending": "400", "staff": "400"}),
    "api:network-order-detail": D(get=ENTERPRISE_OBJECT, objects={"pk": "network_order"}),
    "api:network-order-step": D(
        get=API_POST_ONLY,
        objects={"pk": "network_order"},
        fixed={"action": "cancel"},
        # The owner's own order is cancelled (placed, not yet accepted); staff only look (409).
        write={"anon": "login", **own_then("ok"), "staff": {"x": "409", "y": "409", "b": "404"}},
    ),
    "api:schema": D(get={"all": "ok"}, roles=SCHEMA_ROLES),
    "api:docs": D(get={"all": "ok"}),
    # Network vouchers (public_schema/voucher_schemes): the park admin issues and reviews on its own
    # site, an enterprise sees its own; objects the matrix does not build answer 404.
    "vouchers:issuer-schemes": D(get=ISSUER_PAGE),
    "vouchers:issuer-scheme": D(get=NOT_HERE),
    "vouchers:issuer-applications": D(get=ISSUER_PAGE),
    "vouchers:issuer-claims": D(get=ISSUER_PAGE),
    "vouchers:figures": D(get=NOT_HERE),  # the hub's only
    "vouchers:issuer-claim": D(get=NOT_HERE),
    "vouchers:issuer-claim-file": D(get=NOT_HERE),
    "vouchers:mine": D(get=ENTERPRISE_PAGE),
    "vouchers:apply": D(get={"anon": "login", "users": "405"}, write={"users": "404"}),
    "api:voucher-scheme-issued-list": D(get=ISSUER_PAGE),
    "api:voucher-scheme-issued-detail": D(get=NOT_HERE),
    "api:voucher-issued-list": D(get=ISSUER_PAGE),
    "api:voucher-issued-review": D(get=ISSUER_POST_ONLY, write={"admin": "404"}),
    "api:voucher-claim-review-list": D(get=ISSUER_PAGE),
    "api:voucher-claim-review-detail": D(get=NOT_HERE),
    "api:voucher-claim-review-move": D(get=ISSUER_POST_ONLY, write={"admin": "404"}),
    "api:voucher-claim-review-file": D(get=NOT_HERE),
    "api:voucher-scheme-open-list": D(get=SIGNED_IN),
    "api:voucher-scheme-apply": D(get={"anon": "login", "users": "405"}, write={"users": "404"}),
    "api:voucher-mine-list": D(get=ENTERPRISE_PAGE),
    "api:voucher-mine-detail": D(get=NOT_HERE),
    "api:voucher-held-list": D(get=ISSUER_PAGE),
    # Expert review: no matrix role is an expert, so the expert's pages and API are a 404 to every
    # signed-in role (tests/expert_review covers the expert and the outsider); the park's for its
    # administrators; the outcome for the application's own enterprise.
    "expert_review:cases": D(get=NOT_HERE),
    "expert_review:case": D(get=NOT_HERE),
    "expert_review:case_application": D(get=NOT_HERE),
    "expert_review:case_act": D(get=NOT_HERE),
    "expert_review:park": D(get=ISSUER_PAGE),
    "expert_review:experts": D(get=ISSUER_PAGE, write={"users": "404", "admin": "400"}),
    "expert_review:expert_tie": D(get=ISSUER_POST_ONLY, write={"admin": "404"}),
    "expert_review:stage": D(get=NOT_HERE),
    "expert_review:sheet_new": D(get=NOT_HERE),
    "expert_review:assign": D(get=ISSUER_POST_ONLY, write={"admin": "404"}),
    "expert_review:confirm": D(get=ISSUER_POST_ONLY, write={"admin": "404"}),
    "expert_review:outcome": D(get=EXPERT_OUTCOME, objects={"pk": "application"}),
    "api:expert-case-list": D(get=NOT_HERE),
    "api:expert-case-detail": D(get=NOT_HERE),
    "api:expert-case-application": D(get=NOT_HERE),
    "api:expert-case-action": D(get=NOT_HERE),
    "api:expert-stage-standings": D(get=NOT_HERE),
    "api:expert-stage-assign": D(get=API_POST_ONLY, write={"users": "404"}),
    "api:expert-stage-confirm": D(get=API_POST_ONLY, write={"users": "404"}),
    "api:application-expert-review": D(get=EXPERT_OUTCOME, objects={"pk": "application"}),
}

# The hub has one role of its own, the operator; every park user is a stranger there. The
# operator sees every park, so both parks' slugs are "ok".
HUB_ONLY = {"anon": "login", "hub": "ok"}
HUB_NOT_HERE = {"anon": "login", "hub": "404"}
HUB = {
    "hub:home": D(get=HUB_ONLY),
    "hub:tenant_create": D(get=HUB_ONLY),
    # A GET is the confirmation page (with the status history); the move is its POST.
    "hub:tenant_suspend": D(get=HUB_ONLY, objects={"slug": "tenant"}),
    "hub:tenant_reactivate": D(get=HUB_ONLY, objects={"slug": "tenant"}),
    "hub:dashboard": D(get=HUB_ONLY),
    "hub:wall": D(get=HUB_ONLY),
    "hub:duplicates": D(get=HUB_ONLY),
    "hub:programmes": D(get=HUB_ONLY),
    "hub:tenant_dashboard": D(get=HUB_ONLY, objects={"slug": "tenant"}),
    "hub:installation": D(get=HUB_ONLY),
    "accounts:login": D(get=VISITORS_ONLY),
    "accounts:logout": D(get=POST_ONLY, posts=False),
    "accounts:password_reset": D(get={"all": "ok"}),
    "accounts:password_reset_done": D(get={"all": "ok"}, posts=False),
    "accounts:password_reset_confirm": D(get={"all": "ok"}, fixed={"uidb64": "MQ", "token": "set-password"}),
    "accounts:password_reset_complete": D(get={"all": "ok"}, posts=False),
    "accounts:language": D(get=POST_ONLY),
    "accounts:tokens": D(get=HUB_ONLY),
    "accounts:token_revoke": D(get=POST_ONLY, objects={"pk": "hub_token"}, write=LOGIN),
    # Stripe signs its webhooks: an unsigned POST is a 400 for anyone.
    "payments:stripe_webhook": D(get=POST_ONLY, write={"all": "400"}),
    # The institution pool (入库): the operator reviews; institution people are strangers here.
    "pool:list": D(get=HUB_ONLY),
    "pool:ranking": D(get=HUB_ONLY),
    "pool:detail": D(get=HUB_ONLY, objects={"slug": "institution"}),
    "pool:act": D(get=POST_ONLY, objects={"slug": "institution"}, fixed={"action": "review"}, write=LOGIN),
    "api:hub-institution-list": D(get=HUB_ONLY),
    "api:hub-institution-detail": D(get=HUB_ONLY, objects={"slug": "institution"}),
    "api:hub-institution-act": D(
        get={"anon": "login", "hub": "405"}, objects={"slug": "institution"}, fixed={"action": "review"}
    ),
    "citywide:list": D(get=HUB_ONLY),
    "citywide:detail": D(get=HUB_ONLY, objects={"pk": "city_programme"}),
    "handoffs:list": D(get=HUB_ONLY),
    "handoffs:resend": D(get=POST_ONLY, objects={"pk": "handoff"}, write=LOGIN),
    "workcalendar:calendar": D(get=HUB_ONLY),
    # Network demands on the hub: the operator is the supervision office (no desk seat: nothing to record).
    "network_demands:list": D(get=HUB_ONLY),
    "network_demands:new": D(get=HUB_NOT_HERE),
    "network_demands:detail": D(get=HUB_NOT_HERE, fixed={"pk": 987654321}),
    "network_demands:act": D(
        get={"anon": "login", "hub": "405"}, fixed={"pk": 987654321}, write={"anon": "login", "hub": "404"}
    ),
    "network_demands:supervision": D(get=HUB_ONLY),
    "network_demands:figures": D(get=HUB_ONLY),
    "network_demands:figures_csv": D(get=HUB_ONLY),
    "api:network-demand-list": D(get=HUB_ONLY, write={"anon": "login", "hub": "400"}),
    "api:network-demand-detail": D(get=HUB_NOT_HERE, fixed={"pk": 987654321}),
    "api:network-demand-step": D(
        get={"anon": "login", "hub": "405"},
        fixed={"pk": 987654321, "action": "sign"},
        write={"anon": "login", "hub": "404"},
    ),
    "api:network-demand-supervision": D(get=HUB_ONLY),
    "api:network-demand-figures": D(get=HUB_ONLY),
    "api:token": D(get={"all": "405"}),
    "api:token-list": D(get=HUB_ONLY),
    "api:token-detail": D(get=HUB_ONLY, objects={"pk": "hub_token"}),
    "api:tenant-list": D(get=HUB_ONLY),
    "api:tenant-detail": D(get=HUB_ONLY, objects={"slug": "tenant"}),
    "api:tenant-suspend": D(get={"anon": "login", "hub": "405"}, objects={"slug": "tenant"}),
    "api:tenant-reactivate": D(get={"anon": "login", "hub": "405"}, objects={"slug": "tenant"}),
    # The lifecycle (tests/tenants/test_deletion.py walks them with their outsiders).
    "api:tenant-exports": D(get=HUB_ONLY, objects={"slug": "tenant"}),
    "api:tenant-export": D(
        get={"anon": "login", "hub": "404"}, objects={"slug": "tenant"}, fixed={"pk": 999999}
    ),
    "api:tenant-export-archive": D(
        get={"anon": "login", "hub": "404"}, objects={"slug": "tenant"}, fixed={"pk": 999999}
    ),
    "api:tenant-deletion-schedule": D(get={"anon": "login", "hub": "405"}, objects={"slug": "tenant"}),
    "api:tenant-deletion-cancel": D(get={"anon": "login", "hub": "405"}, objects={"slug": "tenant"}),
    "api:tenant-restore": D(get={"anon": "login", "hub": "405"}),
    "api:hub-stats": D(get=HUB_ONLY),
    "api:city-programme-list": D(get=HUB_ONLY),
    "api:city-programme-detail": D(get=HUB_ONLY, objects={"pk": "city_programme"}),
    "vouchers:issuer-schemes": D(get=HUB_ONLY),
    "vouchers:issuer-scheme": D(get=HUB_NOT_HERE),
    "vouchers:issuer-applications": D(get=HUB_ONLY),
    "vouchers:issuer-claims": D(get=HUB_ONLY),
    "vouchers:figures": D(get=HUB_ONLY),
    "vouchers:issuer-claim": D(get=HUB_NOT_HERE),
    "vouchers:issuer-claim-file": D(get=HUB_NOT_HERE),
    "api:voucher-scheme-issued-list": D(get=HUB_ONLY),
    "api:voucher-scheme-issued-detail": D(get=HUB_NOT_HERE),
    "api:voucher-issued-list": D(get=HUB_ONLY),
    "api:voucher-issued-review": D(get={"anon": "login", "hub": "405"}, write={"hub": "404"}),
    "api:voucher-claim-review-list": D(get=HUB_ONLY),
    "api:voucher-claim-review-detail": D(get=HUB_NOT_HERE),
    "api:voucher-claim-review-move": D(get={"anon": "login", "hub": "405"}, write={"hub": "404"}),
    "api:voucher-claim-review-file": D(get=HUB_NOT_HERE),
    "api:schema": D(get={"all": "ok"}, roles=SCHEMA_ROLES),
    "api:docs": D(get={"all": "ok"}),
    # The hub shares no files.
    "media": D(get={"anon": "login", "hub": "404"}, objects={"name": "media"}),
}

# A service institution's own site: its administrator ("iadmin") and staff ("istaff"); every park
# user and the hub operator are strangers there. Institution B's product ("b") is a 404.
INST_PAGE = {"anon": "login", "institution": "ok"}
INST_ADMIN_PAGE = {"anon": "login", "iadmin": "ok", "istaff": "403"}
# The role's own object ("x": institution A's product, the administrator's token); "b" is a 404.
OWN_PRODUCT = {"x": "ok", "b": "404"}
INSTITUTION = {
    "institution:dashboard": D(get=INST_PAGE),
    "institution:profile": D(get=INST_PAGE),
    "institution:profile_edit": D(get=INST_ADMIN_PAGE),
    "institution:profile_submit": D(get=POST_ONLY, write={"anon": "login", "istaff": "403"}),
    "institution:products": D(get=INST_PAGE),
    "institution:product_new": D(get=INST_PAGE),
    "institution:product_edit": D(
        get={"anon": "login", "institution": OWN_PRODUCT}, objects={"pk": "product"}
    ),
    "institution:product_unpublish": D(
        get=POST_ONLY, objects={"pk": "product"}, write={"anon": "login", "institution": OWN_PRODUCT}
    ),
    "institution:staff": D(get=INST_ADMIN_PAGE),
    # Network demands: the institution is a handling unit; its staff see its copies.
    "network_demands:list": D(get=INST_PAGE),
    "network_demands:new": D(get=INST_PAGE, write={"anon": "login", "institution": "400"}),
    "network_demands:detail": D(get={"anon": "login", "institution": "404"}, fixed={"pk": 987654321}),
    "network_demands:act": D(
        get={"anon": "login", "institution": "405"},
        fixed={"pk": 987654321},
        write={"anon": "login", "institution": "404"},
    ),
    "api:network-demand-list": D(get=INST_PAGE, write={"anon": "login", "institution": "400"}),
    "api:network-demand-detail": D(get={"anon": "login", "institution": "404"}, fixed={"pk": 987654321}),
    "api:network-demand-step": D(
        get={"anon": "login", "institution": "405"},
        fixed={"pk": 987654321, "action": "sign"},
        write={"anon": "login", "institution": "404"},
    ),
    "accounts:login": D(get=VISITORS_ONLY),
    "accounts:logout": D(get=POST_ONLY, posts=False),
    "accounts:password_reset": D(get={"all": "ok"}),
    "accounts:password_reset_done": D(get={"all": "ok"}, posts=False),
    "accounts:password_reset_confirm": D(get={"all": "ok"}, fixed={"uidb64": "MQ", "token": "set-password"}),
    "accounts:password_reset_complete": D(get={"all": "ok"}, posts=False),
    "accounts:language": D(get=POST_ONLY),
    "accounts:tokens": D(get=SIGNED_IN),
    "accounts:token_revoke": D(
        get=POST_ONLY,
        objects={"pk": "institution_token"},
        write={"anon": "login", "iadmin": OWN_PRODUCT, "istaff": "404"},
    ),
    "api:token": D(get={"all": "405"}),
    "api:token-list": D(get=SIGNED_IN),
    "api:token-detail": D(
        get={"anon": "login", "iadmin": OWN_PRODUCT, "istaff": "404"}, objects={"pk": "institution_token"}
    ),
    "api:me": D(get=SIGNED_IN),
    # The staff read the pool entry; only the administrator edits it or submits it (the workflow's 409).
    "api:institution-profile": D(get=INST_PAGE, write={"istaff": "403"}),
    "api:institution-profile-submit": D(
        get={"anon": "login", "institution": "405"}, write={"iadmin": "400", "istaff": "409"}
    ),
    "api:institution-product-list": D(get=INST_PAGE, write={"institution": "400"}),
    "api:institution-product-detail": D(
        get={"anon": "login", "institution": OWN_PRODUCT}, objects={"pk": "product"}
    ),
    "api:institution-product-unpublish": D(
        get={"anon": "login", "institution": "405"},
        objects={"pk": "product"},
        write={"institution": OWN_PRODUCT},
    ),
    # The orders it received and the voucher claims it files (their objects are not built by
    # the matrix: every id is somebody else's, a 404; tests/network_orders and voucher_schemes
    # walk the institution's own).
    "network_orders_institution:desk": D(get=INST_PAGE),
    "network_orders_institution:order": D(get=NOT_HERE),
    "network_orders_institution:order_act": D(get={"anon": "login", "users": "405"}, write=NOT_HERE),
    "network_orders_institution:order_file": D(get=NOT_HERE),
    "voucher_claims:list": D(get=INST_PAGE),
    "voucher_claims:new": D(get=INST_PAGE),
    "voucher_claims:detail": D(get=NOT_HERE),
    "voucher_claims:file": D(get=NOT_HERE),
    "api:network-order-list": D(get=INST_PAGE),
    "api:network-order-detail": D(get=NOT_HERE),
    "api:network-order-step": D(get=API_POST_ONLY, write=NOT_HERE),
    "api:voucher-spent-list": D(get=INST_PAGE),
    "api:voucher-claim-list": D(get=INST_PAGE),
    "api:voucher-claim-detail": D(get=NOT_HERE),
    "api:voucher-claim-file": D(get=NOT_HERE),
    "api:schema": D(get={"all": "ok"}, roles=SCHEMA_ROLES),
    "api:docs": D(get={"all": "ok"}),
}

SITES = {"tenant": TENANT, "hub": HUB, "institution": INSTITUTION}

# Answered by saas.telemetry before any URL configuration, on every host: the probes for
# everyone; /metrics only with `Authorization: Bearer <METRICS_TOKEN>`, a 404 otherwise.
PROBES = {
    "/healthz": D(get={"all": "ok"}),
    "/readyz": D(get={"all": "ok"}),
    "/metrics": D(get={"all": "404"}),
}
