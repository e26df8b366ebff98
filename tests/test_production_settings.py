"""Production settings: they pass Django's deploy checks with deploy/.env.example, and
refuse to start without a secret, naming the one that is missing.

Each case starts Python in a subprocess with a minimal environment (PATH, HOME and the
variables under test). The test process itself runs saas.settings.test, which fills in
SECRET_KEY and DATABASE_URL; running production settings here would both inherit those
and disturb the configured settings of the test run.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = REPO_ROOT / "deploy" / ".env.example"
PRODUCTION_SETTINGS = "saas.settings.production"
# The settings modules production loads; local.py and test.py are not part of it.
PRODUCTION_SETTINGS_FILES = [
    REPO_ROOT / "saas" / "settings" / "base.py",
    REPO_ROOT / "saas" / "settings" / "production.py",
]


def example_environment() -> dict[str, str]:
    """deploy/.env.example as a mapping; comment lines (optional variables) are left out."""
    variables = {}
    for number, line in enumerate(ENV_EXAMPLE.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.partition("=")
        assert equals, f"{ENV_EXAMPLE.name}:{number} is not KEY=value: {line!r}"
        variables[name.strip()] = value.strip()
    return variables


def run_with_production_settings(*args: str, without: str | None = None) -> subprocess.CompletedProcess:
    """Run `python *args` from the repository root with production settings and the example environment."""
    environment = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": os.environ.get("HOME", str(REPO_ROOT)),
        **example_environment(),
        "DJANGO_SETTINGS_MODULE": PRODUCTION_SETTINGS,
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


def test_deploy_check_passes_with_the_example_environment():
    result = run_with_production_settings("manage.py", "check", "--deploy", "--fail-level", "WARNING")

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


def test_a_blank_secret_key_is_refused_too():
    environment_overrides = {"SECRET_KEY": ""}
    environment = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": os.environ.get("HOME", str(REPO_ROOT)),
        **example_environment(),
        "DJANGO_SETTINGS_MODULE": PRODUCTION_SETTINGS,
        **environment_overrides,
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "32 characters" in result.stderr
