"""People and sources take slugs in any script, and so do the old addresses of
merged tags; tags stored without a usable slug (a name such as ">" slugifies
to nothing) get one, so their pages and every page showing them can be drawn."""

import re

from django.db import migrations, models

_SLUG = re.compile(r"^[-\w]+\Z")


def give_tags_slugs(apps, schema_editor):
    Tag = apps.get_model("taggit", "Tag")
    TagRedirect = apps.get_model("archive", "TagRedirect")
    # A merged tag's old address stays its redirect's: a new slug never takes it.
    taken = set(Tag.objects.values_list("slug", flat=True)) | set(
        TagRedirect.objects.values_list("slug", flat=True)
    )
    for tag in Tag.objects.order_by("pk"):
        if _SLUG.match(tag.slug):
            continue
        slug, n = f"tag-{tag.pk}", 1
        while slug in taken:
            n += 1
            slug = f"tag-{tag.pk}-{n}"
        taken.add(slug)
        tag.slug = slug
        tag.save(update_fields=["slug"])


class Migration(migrations.Migration):

    dependencies = [
        ("archive", "0009_search_index"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="slug",
            field=models.SlugField(allow_unicode=True, max_length=200, unique=True),
        ),
        migrations.AlterField(
            model_name="source",
            name="slug",
            field=models.SlugField(allow_unicode=True, max_length=200, unique=True),
        ),
        migrations.AlterField(
            model_name="tagredirect",
            name="slug",
            field=models.SlugField(allow_unicode=True, max_length=100, unique=True),
        ),
        migrations.RunPython(give_tags_slugs, migrations.RunPython.noop),
    ]
