"""Documents take slugs in any script (a Persian title's slug is Persian, not
"capture-N"), and so do the old slugs that redirect to them.

Only the validator changes, not the column (still varchar(200), unique), so
the database is left alone: on SQLite an AlterField would copy the whole
document table to change nothing."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("archive", "0011_list_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="document",
                    name="slug",
                    field=models.SlugField(allow_unicode=True, max_length=200, unique=True),
                ),
                migrations.AlterField(
                    model_name="documentslug",
                    name="slug",
                    field=models.SlugField(allow_unicode=True, max_length=200, unique=True),
                ),
            ],
        ),
    ]
