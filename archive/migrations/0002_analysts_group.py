"""Create the “Analysts” group with exactly the permissions analysts need.

Analysts add and change documents, claims, people, sources, relations and
tags. They may delete claims and relations (their own annotations) but never
documents: a capture, once archived, stays.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ANALYSTS = "Analysts"

PERMISSIONS = {
    "archive": [
        "view_document", "add_document", "change_document", "view_draft",
        "view_claim", "add_claim", "change_claim", "delete_claim",
        "view_documentrelation", "add_documentrelation", "change_documentrelation",
        "delete_documentrelation",
        "view_person", "add_person", "change_person",
        "view_source", "add_source", "change_source",
    ],
    "taggit": ["view_tag", "add_tag", "change_tag"],
}


def _ensure_permissions(apps):
    # Permissions are normally created after all migrations ran; create them
    # now so the group can be filled on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None


def create_group(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ANALYSTS)
    wanted = []
    for app_label, codenames in PERMISSIONS.items():
        found = list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
        missing = set(codenames) - {p.codename for p in found}
        if missing:
            raise RuntimeError(f"Permissions not found for {app_label}: {sorted(missing)}")
        wanted.extend(found)
    group.permissions.set(wanted)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=ANALYSTS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
