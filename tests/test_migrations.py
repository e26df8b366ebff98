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


@pytest.mark.parametrize("urlconf", ["saas.urls_tenants", "saas.urls_public", "saas.urls_institutions"])
def test_the_openapi_schema_builds_cleanly(db, urlconf, tmp_path):
    out = io.StringIO()
    call_command(
        "spectacular",
        "--urlconf",
        urlconf,
        "--file",
        str(tmp_path / "schema.yml"),
        "--validate",
        "--fail-on-warn",
        stdout=out,
        stderr=out,
    )
    assert (tmp_path / "schema.yml").read_text().startswith("openapi:")


# Migrations that take something away, released before the expand/contract rule
# (docs/operations.md); each was applied to no production database in the old shape.
_DESTRUCTIVE_BEFORE_THE_RULE = {
    ("hub", "0005_rollup_months"),
    ("billing", "0004_history_append_only"),
}
_DESTRUCTIVE = ("RemoveField", "DeleteModel", "RenameField", "RenameModel")


def test_migrations_only_expand_unless_they_say_they_contract():
    """The previous release serves while a deploy migrates: a migration that removes or
    renames must be the contract step of an expand already released, and say so."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    offenders = []
    for key, migration in loader.disk_migrations.items():
        if key in _DESTRUCTIVE_BEFORE_THE_RULE or not type(migration).__module__.startswith(
            ("public_schema.", "tenant_schema.", "every_schema.")
        ):
            continue
        taken = [type(op).__name__ for op in migration.operations if type(op).__name__ in _DESTRUCTIVE]
        if taken and "contract step" not in (type(migration).__doc__ or "").lower():
            offenders.append(f"{key[0]}.{key[1]}: {', '.join(taken)}")
    assert not offenders, (
        "These migrations take something away while the previous release may still use it; make them "
        "the contract step of an earlier expand and say 'Contract step of …' in the Migration's docstring "
        f"(docs/operations.md): {offenders}"
    )
