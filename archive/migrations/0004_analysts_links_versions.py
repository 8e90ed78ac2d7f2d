"""Analysts may also link claims across documents and read text versions."""

from django.db import migrations

from archive.migrations import _groups

PERMISSIONS = {
    "archive": [
        "view_claimlink", "add_claimlink", "change_claimlink", "delete_claimlink",
        "view_documentversion", "view_claimevent",
    ],
}


def grant(apps, schema_editor):
    _groups.grant(apps, "Analysts", PERMISSIONS)


def revoke(apps, schema_editor):
    _groups.revoke(apps, "Analysts", PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("archive", "0003_versions_audit_links")]
    operations = [migrations.RunPython(grant, revoke)]
