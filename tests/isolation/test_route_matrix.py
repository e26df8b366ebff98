"""Every route × every role × own and foreign objects, checked against one declaration per URL name.

The routes come from the URL configurations themselves (the tenant sites' and the hub's) and
from the OpenAPI schema, so a route added without a declaration in route_declarations fails
here with its name, and a declaration whose route is gone fails too. /api/v1/... and the
deprecated /api/... alias share a declaration and are both requested.

For every route, each role GETs it (for routes with an object in the path: X's object, Y's
object and park B's object). For unsafe methods only the refusals are sent: a role that must
not act gets its 401/403/404 (or the login page) and nothing is written, which the database's
own counters of the transaction's inserted, updated and deleted rows show.

Rules the declarations do not have to repeat, because they hold for every route:
  - on park A's host, the hub operator and park B's administrator are strangers: they get
    exactly what an anonymous visitor gets (sessions and tokens belong to their own site);
  - on the hub, every park user is a stranger in the same way;
  - park B's object is never served on park A's host, and never answered with a 403 or a
    redirect that X's object would not also get (either would confirm the id exists somewhere).

A new route: add its declaration. To see what it answers today, run the module with
ROUTE_MATRIX_DISCOVER=/tmp/observed.json: every cell is sent (writes too, rolled back) and
written there instead of asserted; judge each answer before declaring it.
"""

import copy
import json
import os
import re
import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from drf_spectacular.generators import SchemaGenerator

from . import route_declarations as declared
from .route_world import HOME_ROLES, MISSING_ID, MISSING_UUID, PDF, ROLES, world_build

SITES = {"tenant": "saas.urls_tenants", "hub": "saas.urls_public", "institution": "saas.urls_institutions"}
UNSAFE = ("post", "put", "patch", "delete")
REFUSALS = {"login", "403", "404"}
# Rows a refused request may still write: the session store and the sign-in records.
BOOKKEEPING_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}
LOGIN_PATH = resolve_url(settings.LOGIN_URL)
DISCOVER = os.environ.get(
    "ROUTE_MATRIX_DISCOVER"
)  # a path: write what was observed there instead of asserting

COUNTS = {"get": 0, "write": 0, "routes": 0}
SUMMARY: list[str] = []  # printed at the end of the run (tests/isolation/conftest.py)
OBSERVED: dict = {}


# ---------------------------------------------------------------------------
# The routes, as the URL configurations and the schema have them
# ---------------------------------------------------------------------------


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield "/" + prefix + str(pattern.pattern), name


def declaration_key(name: str) -> str:
    """The deprecated /api/... alias is declared with /api/v1/...: one answer per URL name."""
    return name.replace("api-unversioned:", "api:", 1)


def routes_of(site: str) -> dict[str, list[str]]:
    """{declaration key: [route, ...]} of every named route of a site, the Django admin apart."""
    routes: dict[str, list[str]] = {}
    for route, name in _walk(get_resolver(SITES[site]).url_patterns):
        if route.startswith("/admin/"):
            continue  # the Django admin has its own tests (tests/authz/test_admin.py)
        assert name, f"the route {route} of {SITES[site]} has no name, so it cannot be declared"
        routes.setdefault(declaration_key(name), []).append(route)
    return routes


def schema_operations(site: str) -> dict[str, dict[str, set[str]]]:
    """{declaration key: {method: {request content type, ...}}} of every operation in the site's OpenAPI schema."""
    schema = SchemaGenerator(urlconf=SITES[site]).get_schema(request=None, public=True)
    operations: dict[str, dict[str, set[str]]] = {}
    for path, item in schema["paths"].items():
        sample = re.sub(r"\{[^}]+\}", "1", path)
        match = resolve(sample, urlconf=SITES[site])
        key = declaration_key(match.view_name)
        for method, operation in item.items():
            if method in (*UNSAFE, "get"):
                content = set(operation.get("requestBody", {}).get("content", {}))
                operations.setdefault(key, {}).setdefault(method, set()).update(content)
    return operations


ROUTES = {site: routes_of(site) for site in SITES}


def test_every_route_is_declared_and_every_declaration_is_a_route():
    problems = []
    for site, routes in ROUTES.items():
        declarations = declared.SITES[site]
        for key, paths in routes.items():
            if key not in declarations:
                problems.append(
                    f"{site}: {key} ({', '.join(paths)}) has no declaration in route_declarations.py"
                )
        for key, declaration in declarations.items():
            if key not in routes:
                problems.append(f"{site}: {key} is declared but no such route exists any more")
                continue
            parameters = set(re.findall(r"<(?:\w+:)?(\w+)>", routes[key][0]))
            for name in (*declaration.objects, *declaration.fixed):
                if name not in parameters:
                    problems.append(
                        f"{site}: {key} declares {name!r}, which is not a parameter of {routes[key][0]}"
                    )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("site", list(SITES))
def test_every_schema_operation_is_a_declared_route(site):
    operations = schema_operations(site)
    assert operations, "the schema lists no operation"
    missing = sorted(key for key in operations if key not in declared.SITES[site])
    assert not missing, f"operations of the {site} schema without a declaration: {missing}"


# ---------------------------------------------------------------------------
# One set of people and objects for the whole module
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Made once inside a transaction the module's tests nest their own in; rolled back at the end."""
    media = tmp_path_factory.mktemp("matrix-media")
    overridden = override_settings(MEDIA_ROOT=str(media), MULTITENANT_RELATIVE_MEDIA_ROOT="%s")
    overridden.enable()
    started = time.monotonic()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = world_build()
            built.cookies = {role: copy.deepcopy(client.cookies) for role, client in built.clients.items()}
            connection.set_schema_to_public()
            built.operations = {site: schema_operations(site) for site in SITES}
            yield built
        finally:
            connection.set_schema_to_public()
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            overridden.disable()
    seconds = time.monotonic() - started
    cells = COUNTS["get"] + COUNTS["write"]
    summary = (
        f"route matrix: {COUNTS['routes']} URL names, {len(ROLES)} roles, {cells} cells checked "
        f"({COUNTS['get']} GET, {COUNTS['write']} refused writes) in {seconds:.0f}s"
    )
    SUMMARY.append(summary)
    (tmp_path_factory.getbasetemp() / "route-matrix-size.txt").write_text(summary + "\n")
    if DISCOVER:
        with open(DISCOVER, "w") as handle:
            json.dump(OBSERVED, handle, indent=1, ensure_ascii=False, sort_keys=True)


# ---------------------------------------------------------------------------
# Requests and their answers
# ---------------------------------------------------------------------------


def category(response) -> str:
    """The answer as the declarations name it ("moved": a redirect within the site, not to sign in)."""
    status = response.status_code
    if 300 <= status < 400:
        return "login" if LOGIN_PATH in response.get("Location", "") else "moved"
    if 200 <= status < 300:
        return "ok"
    if status == 401:
        return "login"
    return "500" if status >= 500 else str(status)


def fill(route: str, declaration, world, variant: str) -> str:
    """The route with its parameters filled from the declaration: X's, Y's or park B's objects."""

    def value(match):
        name = match.group(2)
        if name in declaration.fixed:
            return str(declaration.fixed[name])
        kind = declaration.objects.get(name)
        if kind is None:
            return str(MISSING_UUID if match.group(1) == "uuid" else MISSING_ID)
        row = world.objects[kind][variant]
        return str(getattr(row, "pk", row))

    return re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def variants_of(declaration, world) -> list[str]:
    if not declaration.objects:
        return ["-"]
    kinds = set(declaration.objects.values())
    return [v for v in ("x", "y", "b") if all(v in world.objects[kind] for kind in kinds)]


def written_rows() -> dict[str, int]:
    """Rows inserted, updated or deleted so far in this transaction, by table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname || '.' || relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE n_tup_ins + n_tup_upd + n_tup_del > 0"
        )
        return dict(cursor.fetchall())


def _send(client, method, path, host, *, api, cookies, content_types=()):
    # Every request starts from the role's own cookies: a stranger's visit to another site
    # must not leave that site's fresh session cookie in place of the role's own.
    client.cookies = copy.deepcopy(cookies)
    kwargs = {"HTTP_HOST": host}
    if method != "get":
        if api and content_types and "application/json" not in content_types:
            # An upload: a real file, so the refusal comes from who asks, not from the parser.
            kwargs.update(
                data={"file": SimpleUploadedFile("证明材料.pdf", PDF, content_type="application/pdf")}
            )
        elif api:
            kwargs.update(data=json.dumps({}), content_type="application/json")
        else:
            kwargs.update(data={})
    response = getattr(client, method)(path, **kwargs)
    answer = category(response)
    if response.streaming:
        # Read to the end: the client's wrapper then closes the file. (Closing a plain response
        # again would fire request_finished and close the test's database connection.)
        b"".join(response.streaming_content)
    return answer, response.status_code


def expected_for(declaration, site: str, role: str, variant: str, *, write: bool):
    """What `role` must get; strangers to the site get what an anonymous visitor gets."""
    if role not in HOME_ROLES[site]:
        role = "anon"
    if not write:
        return declaration.answer(declaration.get, role, variant)
    answer = declaration.answer(declaration.write, role, variant)
    if answer is None:
        # Undeclared: a role refused the page is refused the action the same way.
        answer = declaration.answer(declaration.get, role, variant)
        return answer if answer in REFUSALS else None
    return None if answer == "ok" else answer  # only refusals are sent


def route_cases():
    for site, routes in ROUTES.items():
        for key in routes:
            yield pytest.param(site, key, id=f"{site}:{key}")


@pytest.mark.parametrize(("site", "key"), list(route_cases()))
def test_route_answers_every_role_as_declared(world, db, site, key):
    declaration = declared.SITES[site].get(key)
    if declaration is None:
        pytest.fail(f"{site}: {key} has no declaration in route_declarations.py")
    COUNTS["routes"] += 1
    host = world.hosts[site]
    api = key.startswith("api:")
    operations = world.operations[site].get(key, {})
    unsafe = sorted(set(operations) & set(UNSAFE)) if api else (["post"] if declaration.posts else [])
    wrong = []
    for index, route in enumerate(ROUTES[site][key]):
        # The deprecated /api/... alias runs the same view: every role asks it for X's object, reads only.
        variants = variants_of(declaration, world)
        if index:
            variants, unsafe = variants[:1], []
        for variant in variants:
            path = fill(route, declaration, world, variant)
            for role in declaration.roles or ROLES:
                client = world.clients[role]
                answer, status = _send(client, "get", path, host, api=api, cookies=world.cookies[role])
                COUNTS["get"] += 1
                expected = expected_for(declaration, site, role, variant, write=False)
                OBSERVED.setdefault(site, {}).setdefault(key, {}).setdefault("get", {}).setdefault(role, {})[
                    variant
                ] = answer
                if answer != expected and not DISCOVER:
                    wrong.append(
                        f"GET {path} as {role} ({variant}): {status} ({answer}), declared {expected}"
                    )
                for method in unsafe:
                    expected = expected_for(declaration, site, role, variant, write=True)
                    if expected is None and not DISCOVER:
                        continue
                    before = written_rows()
                    with transaction.atomic():
                        answer, status = _send(
                            client,
                            method,
                            path,
                            host,
                            api=api,
                            cookies=world.cookies[role],
                            content_types=operations.get(method, ()),
                        )
                        after = written_rows()
                        transaction.set_rollback(True)
                    COUNTS["write"] += 1
                    OBSERVED[site][key].setdefault(method, {}).setdefault(role, {})[variant] = answer
                    if DISCOVER:
                        continue
                    if answer != expected:
                        wrong.append(
                            f"{method.upper()} {path} as {role} ({variant}): {status} ({answer}), declared {expected}"
                        )
                    changed = sorted(
                        table
                        for table, n in after.items()
                        if n != before.get(table, 0) and table.split(".", 1)[1] not in BOOKKEEPING_TABLES
                    )
                    if changed:
                        wrong.append(
                            f"{method.upper()} {path} as {role} ({variant}) was refused but wrote to {changed}"
                        )
        if site != "hub" and declaration.objects and not DISCOVER:
            wrong += _leaks(declaration, site, key)
    assert not wrong, f"{site}: {key}\n" + "\n".join(wrong)


def _leaks(declaration, site, key) -> list[str]:
    """Park B's (institution B's) object must look missing: never served, never a 403 that X's would not also get."""
    problems = []
    for role in HOME_ROLES[site]:
        answers = {v: declaration.answer(declaration.get, role, v) for v in ("x", "y", "b")}
        if answers["b"] == "ok":
            problems.append(f"declaration: {role} is served park B's object")
        for telling in ("403", "moved"):
            if answers["b"] == telling and answers["x"] != telling:
                problems.append(
                    f"declaration: {role} gets {telling} for park B's object, which confirms it exists"
                )
    return problems


@pytest.mark.parametrize("path", list(declared.PROBES))
def test_probes_and_metrics_answer_every_role_on_every_host_as_declared(world, db, path):
    """The middleware's own routes, outside the URL configurations; /metrics needs its token."""
    wrong = []
    for site, host in world.hosts.items():
        for role in ROLES:
            answer, status = _send(
                world.clients[role], "get", path, host, api=False, cookies=world.cookies[role]
            )
            COUNTS["get"] += 1
            expected = declared.PROBES[path].answer(declared.PROBES[path].get, role, "-")
            if answer != expected:
                wrong.append(f"GET {path} on {site} as {role}: {status} ({answer}), declared {expected}")
    if path == "/metrics":
        with override_settings(METRICS_TOKEN="matrix-metrics-token"):
            client = world.clients["anon"]
            for authorization, expected in (
                ("Bearer matrix-metrics-token", "ok"),
                ("Bearer wrong", "404"),
                ("", "404"),
            ):
                response = client.get(path, HTTP_HOST=world.hosts["tenant"], HTTP_AUTHORIZATION=authorization)
                COUNTS["get"] += 1
                if category(response) != expected:
                    wrong.append(
                        f"GET /metrics with {authorization!r}: {response.status_code}, declared {expected}"
                    )
    assert not wrong, "\n".join(wrong)
