"""Schemathesis over the whole OpenAPI schema, for every role: no 5xx, no response that breaks its schema.

The schema is the one /api/v1/schema/ serves (drf-spectacular's generator with the site's URL
configuration). Each operation gets a small, seeded budget of generated requests (valid and
deliberately invalid ones) per role, sent in-process to Django's WSGI handler with the site's
Host header and the role's Bearer token (accounts.ApiToken). Every role works in a world made
once per module inside a transaction that is rolled back at the end, each case in a savepoint
rolled back after it: what the API writes is real PostgreSQL rows, none of it outlives its case,
and every case starts from the same world. Three generated path ids in four are replaced by an
object of that world, so the cases reach past the 404 into the views and the services.

Every case that answers 5xx, an undocumented status, or a body outside its documented schema
fails with the request to replay it. The number of cases run per role is printed at the end.
"""

import datetime as dt
import os
import time
import traceback
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from every_schema.accounts import roles
from every_schema.accounts.models import ApiToken
from every_schema.accounts.services import api_token_create
from tenant_schema.applications.services import application_transition
from tenant_schema.billing.services import service_create, subscription_checkout, voucher_issue

from ..applications.conftest import draft_for, make_programme, verified
from ..conftest import ALPHA, BETA, HUB_HOST, host_of, make_user
from ..demands.conftest import file_for
from ..enterprises.conftest import register
from .conftest import CASES, SECONDS

# A budget per operation and role: enough to reach the validation paths, small enough that the
# whole module stays within a few minutes on a small shared machine. Seeded: the same cases each run.
# PARKHUB_FUZZ_EXAMPLES=50 (or a new PARKHUB_FUZZ_SEED) runs a deeper search locally.
MAX_EXAMPLES = int(os.environ.get("PARKHUB_FUZZ_EXAMPLES", 6))
SEED = int(os.environ.get("PARKHUB_FUZZ_SEED", 20261207))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

TENANT_ROLES = ["anonymous", "enterprise_member", "pending_enterprise", "reviewer", "park_admin"]
HUB_ROLES = ["anonymous", "hub_operator"]


# Objects of the world by the path's collection, for the generated ids to land on (filled by `world`).
KNOWN_IDS: dict[str, list] = {}
# The collection a path's first id belongs to: /api/v1/billing/services/{id}/ -> services.
_COLLECTIONS = {"auth": "tokens", "billing": None, "hub": None}


def _collection(path: str) -> str:
    parts = [part for part in path.split("/") if part and not part.startswith("{")][2:]
    name = parts[0] if parts else ""
    if name in _COLLECTIONS:
        name = _COLLECTIONS[name] or (parts[1] if len(parts) > 1 else "")
    return {"city-programmes": "", "push-runs": "", "auto-applications": ""}.get(name, name)


def _land_on_known_objects(context, path_parameters):
    """Three generated ids in four become an existing object's id: the cases then reach past the 404."""
    pool = KNOWN_IDS.get(_collection(context.operation.path))
    if not pool or not path_parameters:
        return path_parameters
    for name in ("id", "slug", "application_pk"):
        value = path_parameters.get(name)
        if isinstance(value, int) and value % 4:
            path_parameters[name] = pool[value % len(pool)]
        elif isinstance(value, str) and name == "slug" and len(value) % 4:
            path_parameters[name] = pool[len(value) % len(pool)]
    return path_parameters


def _config():
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            # The coverage phase alone sends dozens of boundary cases per operation: too many for the budget.
            "phases": {"coverage": {"enabled": False}},
            # Both valid and invalid requests; no example database: a run does not depend on the last one.
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "mode": "all",
                "deterministic": True,
                "database": "none",
            },
        }
    )


def _schema(urlconf: str):
    raw = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(raw, config=_config())


tenant_schema = _schema("saas.urls_tenants")
hub_schema = _schema("saas.urls_public")
for _loaded in (tenant_schema, hub_schema):
    _loaded.hook("map_path_parameters")(_land_on_known_objects)

APP = WSGIHandler()


class World:
    """The actors of one site and their tokens, plus objects for the path ids to land on."""

    def __init__(self):
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, list[int]] = {}


def _token(user) -> str:
    _, secret = api_token_create(user=user, name="schemathesis")
    return secret


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Made once inside a transaction that the module's end rolls back (each test adds a savepoint)."""
    with django_db_blocker.unblock():
        # Django's test client does the same: closing the connection after each request would end
        # the transaction that holds the world and every test's savepoint.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = World()
            with schema_context(ALPHA):
                admin = make_user(ALPHA, role=roles.PARK_ADMIN)
                reviewer = make_user(ALPHA, role=roles.REVIEWER)
                member = verified(register(ALPHA))
                pending = register(ALPHA)
                programme = make_programme()
                application = draft_for(member, programme)
                other = verified(register(ALPHA))
                submitted = application_transition(
                    application_id=draft_for(other, programme).pk, action="submit", actor=other.user
                )
                demand = file_for(member)
                service = service_create(
                    actor=admin,
                    name="企业法律顾问",
                    price=Decimal("100.00"),
                    category="legal",
                    term_options=[3, 6, 12],
                )
                order = subscription_checkout(
                    actor=member.user, service=service, term_months=3, method="offline"
                ).subscription
                voucher = voucher_issue(
                    actor=admin,
                    enterprise=member.enterprise,
                    kind="amount",
                    value=Decimal("300.00"),
                    expires_on=timezone.localdate() + dt.timedelta(days=10),
                )
                world.tokens.update(
                    park_admin=_token(admin),
                    reviewer=_token(reviewer),
                    enterprise_member=_token(member.user),
                    pending_enterprise=_token(pending.user),
                )
                world.ids.update(
                    programmes=[programme.pk],
                    applications=[application.pk, submitted.pk],
                    notice=[submitted.pk],
                    enterprises=[member.enterprise.pk, pending.enterprise.pk, other.enterprise.pk],
                    demands=[demand.pk],
                    services=[service.pk],
                    subscriptions=[order.pk],
                    vouchers=[voucher.pk],
                    tokens=list(ApiToken.objects.values_list("pk", flat=True)),
                )
            hub_operator = make_user("public", role=roles.HUB_OPERATOR)
            world.tokens["hub_operator"] = _token(hub_operator)
            world.ids["tenants"] = [ALPHA, BETA]
            connection.set_schema_to_public()
            KNOWN_IDS.update(world.ids)
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connection.set_schema_to_public()
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


class _ServerError:
    """Keeps the traceback of an exception the view raised, for a 5xx's failure message."""

    def __init__(self):
        self.text = ""

    def __call__(self, sender, request=None, **kwargs):
        self.text = traceback.format_exc()


def _run(case, *, world, role: str, host: str, label: str):
    headers = {"Accept-Language": "en"}
    if role in world.tokens:
        headers["Authorization"] = f"Bearer {world.tokens[role]}"
    server_error = _ServerError()
    signals.got_request_exception.connect(server_error)
    started = time.monotonic()
    try:
        with transaction.atomic():
            # One savepoint per case: a write that fails in the database leaves the next case a usable transaction.
            response = case.call(app=APP, base_url=f"http://{host}", headers=headers)
            transaction.set_rollback(True)
    finally:
        signals.got_request_exception.disconnect(server_error)
        connection.set_schema_to_public()
        CASES[label] += 1
        SECONDS[label] += time.monotonic() - started
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except (AssertionError, BaseExceptionGroup) as error:  # one failure, or schemathesis' FailureGroup
        if server_error.text:
            error.add_note(f"Server traceback:\n{server_error.text}")
        raise


FUZZ_SETTINGS = settings(
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


@pytest.mark.parametrize("role", TENANT_ROLES)
@tenant_schema.parametrize()
@FUZZ_SETTINGS
def test_tenant_api(case, role, world):
    _run(case, world=world, role=role, host=host_of(ALPHA), label=f"tenant {role}")


@pytest.mark.parametrize("role", HUB_ROLES)
@hub_schema.parametrize()
@FUZZ_SETTINGS
def test_hub_api(case, role, world):
    _run(case, world=world, role=role, host=HUB_HOST, label=f"hub {role}")
