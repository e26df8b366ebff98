"""Every model change has its migration, and the OpenAPI schemas build without errors or warnings."""

import io

import pytest
from django.core.management import call_command


def test_no_model_change_is_missing_a_migration(db):
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"makemigrations found changes without a migration:\n{out.getvalue()}")
        raise exit_


@pytest.mark.parametrize("urlconf", ["saas.urls_tenants", "saas.urls_public"])
def test_the_openapi_schema_builds_cleanly(db, urlconf, tmp_path):
    out = io.StringIO()
    call_command(
        "spectacular", "--urlconf", urlconf, "--file", str(tmp_path / "schema.yml"), "--validate", "--fail-on-warn",
        stdout=out, stderr=out,
    )
    assert (tmp_path / "schema.yml").read_text().startswith("openapi:")
