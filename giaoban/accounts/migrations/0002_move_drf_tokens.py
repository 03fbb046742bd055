"""Tokens made by DRF's authtoken (one per user, the key stored as is) become ApiTokens named "API" with the same
key (stored as its digest) and creation time, so clients keep working; the old rows are emptied. The authtoken
app is no longer installed, so its table is read with SQL, when it exists."""

import hashlib

from django.db import migrations


def move(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cursor.fetchall()
        ApiToken.objects.bulk_create(
            ApiToken(
                user_id=user_id,
                name="API",
                digest=hashlib.sha256(key.encode()).hexdigest(),
                prefix=key[:8],
                created=created,
            )
            for key, user_id, created in rows
        )
        cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
