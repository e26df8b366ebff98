"""A deploy migrates and syncs only the schemas that are behind the code.

The timing goal (a no-op parkhub_setup at 1,000 tenants in seconds) lives in
bench/deploy.py; these tests pin the behaviour the speed comes from: an up-to-date schema is
not touched, a schema that lacks migrations is found by the one query and migrated (two of
them by the pool of processes), and roles are re-synced only where they differ.
"""

import contextlib
import io
import uuid

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from every_schema.accounts.services import roles_digests, roles_sync_where_changed
from public_schema.tenants.migration_plan import code_migrations, executor_for, schemas_behind

pytestmark = pytest.mark.usefixtures("committed_db")


def _live_schemas():
    return ["alpha", "beta", settings.PARKHUB_TEMPLATE_SCHEMA]


@pytest.fixture
def empty_schemas():
    """Two schemas that exist but have never been migrated, dropped afterwards."""
    names = [f"deploy_probe_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f'CREATE SCHEMA "{name}"')
    yield names
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def test_up_to_date_schemas_are_not_behind():
    assert schemas_behind(_live_schemas()) == []


def test_a_schema_missing_one_migration_is_behind():
    expected = code_migrations()
    assert "applications.0001_initial" in expected
    # The code gains a migration the schemas have not seen: every schema is behind.
    assert schemas_behind(_live_schemas(), expected | {"applications.9999_future"}) == _live_schemas()


def test_migrate_schemas_migrates_only_the_schemas_behind_in_parallel(empty_schemas):
    assert schemas_behind(["alpha", *empty_schemas]) == empty_schemas
    out = io.StringIO()
    # The options migrate_schemas hands its executor: the command's own defaults.
    from django_tenants.management.commands.migrate_schemas import Command as MigrateSchemas

    options = vars(MigrateSchemas().create_parser("manage.py", "migrate_schemas").parse_args(["--noinput"]))
    options["skip_checks"] = True  # as call_command does
    with contextlib.redirect_stdout(out):
        executor_for()((), options).run_migrations(tenants=["alpha", *empty_schemas])
    assert "2 schema(s) to migrate" in out.getvalue()
    connection.set_schema_to_public()
    assert schemas_behind(["alpha", *empty_schemas]) == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'applications_application' "
            "AND table_schema = ANY(%s)",
            [empty_schemas],
        )
        assert sorted(row[0] for row in cursor.fetchall()) == sorted(empty_schemas)
        # post_migrate ran in each: the content types and permissions the roles are built from.
        for name in empty_schemas:
            cursor.execute(f'SELECT count(*) FROM "{name}".auth_permission')
            assert cursor.fetchone()[0] > 50


def test_a_targeted_migrate_sees_up_to_date_schemas_too():
    """`migrate_schemas --plan` (or an app and a migration name) reports on every schema."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        call_command(
            "migrate_schemas", tenant=True, schema_name="alpha", plan=True, interactive=False, verbosity=1
        )
    assert "to migrate" not in out.getvalue()
    assert "alpha" in out.getvalue()


def test_roles_are_synced_only_where_they_differ():
    template = settings.PARKHUB_TEMPLATE_SCHEMA
    assert roles_sync_where_changed(["alpha", "beta"], reference_schema=template) == []
    with schema_context("beta"):
        reviewer = Group.objects.get(name=roles.REVIEWER)
        removed = list(reviewer.permissions.all()[:1])
        assert removed, "the reviewer role has permissions to lose"
        reviewer.permissions.remove(*removed)
    digests = roles_digests(["alpha", "beta"])
    assert digests["alpha"] != digests["beta"]
    assert roles_sync_where_changed(["alpha", "beta"], reference_schema=template) == ["beta"]
    with schema_context("beta"):
        assert set(removed) <= set(Group.objects.get(name=roles.REVIEWER).permissions.all())
    assert roles_sync_where_changed(["alpha", "beta"], reference_schema=template) == []


def test_a_second_parkhub_setup_has_nothing_to_do():
    out = io.StringIO()
    call_command("parkhub_setup", no_pool=True, verbosity=0, stdout=out)
    assert "roles synced in 0" in out.getvalue(), out.getvalue()
