"""Create the “Analysts” group with exactly the permissions analysts need.

Analysts add and change documents, claims, people, sources, relations and
tags. They may delete claims and relations (their own annotations) but never
documents: a capture, once archived, stays.
"""

from django.db import migrations

from archive.migrations import _groups

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


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=ANALYSTS).delete()
    _groups.grant(apps, ANALYSTS, PERMISSIONS)


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
