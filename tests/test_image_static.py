"""The image is the product: the static set it builds serves every page that uses a vendored file.

Issue 15: the built image answered the hub dashboard and wall with a 500, because ECharts came
from the developer's node_modules, which the image never had; the production-settings tests
passed only because dev machines have it. Here the static set is built by the script the
Dockerfile runs (tests/static_build.py: a fresh `npm ci` in a temporary directory), and gunicorn
serves it with the production settings, the manifest storage and no node_modules at all.
"""

import http.client
import json
import re
import secrets
import subprocess
import sys
import urllib.parse

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from saas.static_checks import vendored_assets_in_templates

from .conftest import ALPHA, HUB_HOST, PASSWORD, ROOT, free_port, host_of, make_user, process_env, wait_until
from .static_build import NO_NODE_MODULES, build_static_set, built_static_set  # noqa: F401
from .test_production_settings import run_with_production_settings

pytestmark = pytest.mark.slow
User = get_user_model()

# Every template that names a vendored file, and the page that renders it: the schema whose
# user signs in ("public": the hub operator; a park: its administrator) and the path.
PAGES_WITH_VENDORED_FILES = {
    "hub/dashboard.html": ("public", "/dashboard/"),
    "hub/wall.html": ("public", "/dashboard/wall/"),
    "home.html": (ALPHA, "/"),  # the park administrator's dashboard
}


def test_every_template_that_names_a_vendored_file_has_its_page_declared_here():
    used = vendored_assets_in_templates()

    assert "vendor/echarts/echarts.min.js" in used
    templates = {template for names in used.values() for template in names}
    assert templates == set(PAGES_WITH_VENDORED_FILES), "declare the page of each new template above"


def test_the_built_set_holds_every_vendored_file_under_its_hashed_name(built_static_set):  # noqa: F811
    manifest = json.loads((built_static_set / "staticfiles.json").read_text())["paths"]

    for name in vendored_assets_in_templates():
        assert name in manifest, name
        assert (built_static_set / manifest[name]).stat().st_size > 100_000, manifest[name]


def test_a_build_without_the_front_end_packages_fails_naming_the_missing_file(tmp_path):
    result = build_static_set(tmp_path / "static", PARKHUB_NODE_MODULES=NO_NODE_MODULES)

    assert result.returncode != 0
    assert "parkhub.E001" in result.stderr and "vendor/echarts/echarts.min.js" in result.stderr, result.stderr
    assert "npm ci" in result.stderr


def test_check_deploy_with_production_settings_is_clean_on_the_built_set(built_static_set):  # noqa: F811
    result = run_with_production_settings(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        STATIC_ROOT=str(built_static_set),
        PARKHUB_NODE_MODULES=NO_NODE_MODULES,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    # The one silenced check is commands.E001, explained in saas/settings/base.py.
    assert "System check identified no issues (1 silenced)." in result.stdout, result.stdout + result.stderr


def test_start_up_checks_refuse_a_collected_set_that_lacks_a_vendored_file(built_static_set, tmp_path):  # noqa: F811
    stale = tmp_path / "stale"
    stale.mkdir()
    manifest = json.loads((built_static_set / "staticfiles.json").read_text())
    manifest["paths"] = {k: v for k, v in manifest["paths"].items() if not k.startswith("vendor/")}
    (stale / "staticfiles.json").write_text(json.dumps(manifest))

    result = run_with_production_settings(
        "manage.py", "check", STATIC_ROOT=str(stale), PARKHUB_NODE_MODULES=NO_NODE_MODULES
    )

    assert result.returncode != 0
    assert "parkhub.E001" in result.stderr and "hub/dashboard.html" in result.stderr, result.stderr


def test_production_without_a_collected_set_warns_at_the_deploy_check(tmp_path):
    result = run_with_production_settings("manage.py", "check", "--deploy", STATIC_ROOT=str(tmp_path))

    assert "parkhub.W002" in result.stderr, result.stdout + result.stderr


class Browser:
    """One client of gunicorn as nginx would pass it on (https, the client's address), keeping cookies."""

    def __init__(self, port: int, host: str):
        self.port, self.host, self.cookies = port, host, {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": self.host, "X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": f"https://{self.host}",
                    "Referer": f"https://{self.host}{path}",
                }
            )
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie, _eq, rest = value.partition("=")
                    self.cookies[cookie] = rest.split(";", 1)[0]
            return response.status, content
        finally:
            connection.close()

    def log_in(self, email: str, password: str):
        status, page = self.request("GET", "/accounts/login/")
        assert status == 200, page[:500]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, page = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": email, "password": password},
        )
        assert status == 302, page[:1000]


@pytest.fixture(scope="module")
def production_server(built_static_set, django_db_setup, django_db_blocker, tmp_path_factory):  # noqa: F811
    """gunicorn on saas.settings.production itself, serving the built set, with no node_modules."""
    port = free_port()
    log = tmp_path_factory.mktemp("image-web") / "web.log"
    with django_db_blocker.unblock():
        env = process_env(
            DJANGO_SETTINGS_MODULE="saas.settings.production",
            SECRET_KEY=secrets.token_urlsafe(50),
            STATIC_ROOT=str(built_static_set),
            PARKHUB_NODE_MODULES=NO_NODE_MODULES,
            PARKHUB_BASE_DOMAIN=settings.PARKHUB_BASE_DOMAIN,
            CSRF_TRUSTED_ORIGINS=f"https://{HUB_HOST},https://{host_of(ALPHA)}",
            EMAIL_URL="consolemail://",
            MEDIA_ROOT=str(tmp_path_factory.mktemp("image-media")),
        )
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "saas.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
    )

    def answers():
        if proc.poll() is not None:
            return True
        try:
            return Browser(port, HUB_HOST).request("GET", "/accounts/login/")[0] == 200
        except OSError:
            return False

    try:
        wait_until(answers, timeout=60, message="gunicorn with production settings")
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture
def signed_in_user(committed_db, tenant_a):
    """A user of the schema who may open the page: the hub operator, or the park's administrator."""
    made = []

    def make(schema: str):
        role = roles.HUB_OPERATOR if schema == "public" else roles.PARK_ADMIN
        user = make_user(schema, role=role)
        # Production checks passwords with its own hashers, not the tests' fast MD5.
        user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
        with schema_context(schema):
            user.save(update_fields=["password"])
        made.append((schema, user))
        return user

    yield make
    # The ORM's cascade would look for tables of other schemas (memberships in the public schema).
    for schema, user in made:
        with schema_context(schema), connection.cursor() as cursor:
            for table, column in (
                (User.groups.through._meta.db_table, "user_id"),
                (User._meta.db_table, "id"),
            ):
                cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [user.pk])


@pytest.mark.parametrize("template", sorted(PAGES_WITH_VENDORED_FILES))
def test_each_page_with_a_vendored_file_renders_and_its_file_is_served_from_the_built_set(
    template,
    production_server,
    signed_in_user,
    built_static_set,  # noqa: F811
):
    schema, path = PAGES_WITH_VENDORED_FILES[template]
    browser = Browser(production_server, HUB_HOST if schema == "public" else host_of(schema))
    browser.log_in(signed_in_user(schema).email, PASSWORD)

    status, page = browser.request("GET", path)

    assert status == 200, page[:2000]
    manifest = json.loads((built_static_set / "staticfiles.json").read_text())["paths"]
    vendored = [name for name, templates in vendored_assets_in_templates().items() if template in templates]
    assert vendored
    for name in vendored:
        url = settings.STATIC_URL + manifest[name]
        assert f'src="{url}"'.encode() in page, f"{url} not linked from {path}"
        status, served = browser.request("GET", url)
        assert status == 200, url
        assert served == (built_static_set / manifest[name]).read_bytes()
