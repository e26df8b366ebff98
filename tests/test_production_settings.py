"""Production settings: they pass Django's deploy checks with deploy/.env.example, and
refuse to start without a secret, naming the one that is missing.

Each case starts Python in a subprocess with a minimal environment (PATH, HOME and the
variables under test). The test process itself runs saas.settings.test, which fills in
SECRET_KEY and DATABASE_URL; running production settings here would both inherit those
and disturb the configured settings of the test run.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from .static_build import NO_NODE_MODULES, built_static_set  # noqa: F401

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = REPO_ROOT / "deploy" / ".env.example"
PRODUCTION_SETTINGS = "saas.settings.production"
# The settings modules production loads; local.py and test.py are not part of it.
PRODUCTION_SETTINGS_FILES = [
    REPO_ROOT / "saas" / "settings" / "base.py",
    REPO_ROOT / "saas" / "settings" / "production.py",
]


def example_environment(*, placeholders: bool = False) -> dict[str, str]:
    """deploy/.env.example as a mapping; comment lines (optional variables) are left out.

    Its "replace-me" placeholders are refused at start-up, so unless `placeholders` is asked
    for they are replaced by what an operator would set: a generated key, real passwords.
    """
    variables = {}
    for number, line in enumerate(ENV_EXAMPLE.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.partition("=")
        assert equals, f"{ENV_EXAMPLE.name}:{number} is not KEY=value: {line!r}"
        variables[name.strip()] = value.strip()
    if not placeholders:
        for name, value in variables.items():
            variables[name] = re.sub(r"replace-me[\w-]*", lambda _m: secrets.token_urlsafe(24), value)
        variables["SECRET_KEY"] = secrets.token_urlsafe(50)
    return variables


def run_with_production_settings(
    *args: str, without: str | None = None, placeholders: bool = False, **overrides: str
) -> subprocess.CompletedProcess:
    """Run `python *args` from the repository root with production settings and the example environment."""
    environment = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": os.environ.get("HOME", str(REPO_ROOT)),
        **example_environment(placeholders=placeholders),
        "DJANGO_SETTINGS_MODULE": PRODUCTION_SETTINGS,
        **overrides,
    }
    if without is not None:
        del environment[without]
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_the_example_environment(built_static_set):  # noqa: F811
    # On the static set the image builds, not the developer's node_modules (issue 15).
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
    # Passing because nothing deploy-related was silenced: the one silenced check is the
    # migrate/makemigrations autodetector identity check explained in settings/base.py.
    assert "System check identified no issues (1 silenced)." in result.stdout, result.stdout + result.stderr
    settings_text = (REPO_ROOT / "saas" / "settings" / "base.py").read_text()
    assert 'SILENCED_SYSTEM_CHECKS = ["commands.E001"]' in settings_text


@pytest.mark.parametrize("variable", ["SECRET_KEY", "DATABASE_URL"])
def test_start_up_without_a_secret_fails_and_names_it(variable):
    result = run_with_production_settings("-c", "import django; django.setup()", without=variable)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr, result.stderr
    assert variable in result.stderr, result.stderr


@pytest.mark.parametrize("variable", ["SECRET_KEY", "DATABASE_URL"])
def test_management_command_without_a_secret_fails_and_names_it(variable):
    result = run_with_production_settings("manage.py", "check", without=variable)

    assert result.returncode != 0
    assert variable in result.stderr, result.stderr


def test_env_example_lists_every_variable_the_production_settings_read():
    read_by_settings = set()
    for settings_file in PRODUCTION_SETTINGS_FILES:
        read_by_settings |= set(
            re.findall(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""", settings_file.read_text())
        )
    # Optional variables appear commented out ("# NAME=default"), required ones as NAME=value.
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))

    assert {"SECRET_KEY", "DATABASE_URL"} <= read_by_settings
    assert read_by_settings - documented == set()


@pytest.mark.parametrize("key", ["", "short-but-random-Xk9vQ2mT7rLp4Wn8", "a" * 64])
def test_a_blank_short_or_repetitive_secret_key_is_refused(key):
    result = run_with_production_settings("-c", "import django; django.setup()", SECRET_KEY=key)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr, result.stderr
    assert "50 characters" in result.stderr, result.stderr


def test_the_placeholder_secrets_of_the_example_environment_are_refused_naming_the_variable():
    result = run_with_production_settings("manage.py", "check", "--deploy", placeholders=True)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr, result.stderr
    assert "SECRET_KEY" in result.stderr and "placeholder" in result.stderr, result.stderr


@pytest.mark.parametrize(
    "variable, value",
    [
        ("DATABASE_URL", "postgres://parkhub:replace-me-db-password@postgres:5432/parkhub"),
        ("EMAIL_URL", "smtp+tls://parkhub:replace-me-smtp-password@smtp.parkhub.example:587"),
        ("SECRET_KEY", "django-insecure-" + "k" * 10 + secrets.token_urlsafe(40)),
    ],
)
def test_each_placeholder_secret_is_refused_by_name(variable, value):
    result = run_with_production_settings("-c", "import django; django.setup()", **{variable: value})

    assert result.returncode != 0
    assert f"The {variable} environment variable still holds a placeholder" in result.stderr, result.stderr


def test_a_generated_secret_key_starts():
    result = run_with_production_settings("-c", "import django; django.setup(); print('started')")

    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout
