"""Carry rest_framework.authtoken's plain tokens over as hashed ApiTokens, then drop its table.

Each schema (the hub and every park) runs this for its own table. A client keeps working
with the key it has (its SHA-256 is now what is stored), until the token expires like any
new one: API_TOKEN_LIFETIME_DAYS from this migration. authtoken is no longer installed, so
its table is read with SQL, and only if it exists in this very schema (the search path of
a park also holds the public schema, whose table is the hub's, migrated in its own run).
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def hash_plain_tokens(apps, schema_editor):
    connection = schema_editor.connection
    schema = getattr(connection, "schema_name", "public")
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f'"{schema}".authtoken_token'])
        if cursor.fetchone()[0] is None:
            return
        cursor.execute(f'SELECT key, user_id, created FROM "{schema}".authtoken_token')
        rows = cursor.fetchall()
    ApiToken = apps.get_model("accounts", "ApiToken")
    expires_at = timezone.now() + timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user_id=user_id,
                name="API (before hashing)",
                key_hash=hashlib.sha256(key.encode()).hexdigest(),
                prefix=key[:10],
                expires_at=expires_at,
            )
            for key, user_id, _created in rows
        ],
        ignore_conflicts=True,
    )
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{schema}".authtoken_token')
        cursor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_api_tokens")]

    operations = [migrations.RunPython(hash_plain_tokens, migrations.RunPython.noop, elidable=True)]
