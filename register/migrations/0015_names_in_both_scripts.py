"""Names in both scripts (issue 14): the romanised names beside the names as written, for primary
carers, household members and children; the search keys of every carer and child, filled for the rows
already there; the Khmer collation (ICU, PostgreSQL only: SQLite registers the same one in Python,
register/collation.py).

Names typed in Latin letters stay where they are, in given_name/family_name, and are not copied into
the *_latin fields: nobody checked them against an ID card, the copy would show every such name twice,
and search and the duplicate check read a Latin-letter name in given_name/family_name as romanised
anyway (register.rules.names)."""

from types import SimpleNamespace

import django.db.models.deletion
from django.contrib.postgres.operations import CreateCollation
from django.db import migrations, models

from register.rules.names import carer_search_keys, child_search_keys

BATCH = 2000
CARER_FIELDS = ("id", "household_name", "given_name", "family_name", "reference", "phone")
CHILD_FIELDS = ("id", "given_name", "family_name", "reference", "external_ids")


def fill_search_keys(apps, schema_editor):
    for model_name, key_model_name, fields, keys_of, fk in (
        ("Carer", "CarerSearchKey", CARER_FIELDS, carer_search_keys, "carer_id"),
        ("Child", "ChildSearchKey", CHILD_FIELDS, child_search_keys, "child_id"),
    ):
        model, key_model = apps.get_model("register", model_name), apps.get_model("register", key_model_name)
        rows = []
        for values in model.objects.values(*fields).iterator(chunk_size=BATCH):
            person = SimpleNamespace(given_name_latin="", family_name_latin="", **values)
            rows.extend(key_model(**{fk: values["id"]}, key=k) for k in sorted(keys_of(person)))
            if len(rows) >= BATCH:
                key_model.objects.bulk_create(rows)
                rows = []
        key_model.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0014_backfill_status_events"),
    ]

    operations = [
        # Khmer alphabetical order, numbers inside names by value (kn). Deterministic: equality stays
        # byte equality, so LIKE and the unique constraints keep working wherever it is used.
        CreateCollation("khmer", provider="icu", locale="km-u-kn-true"),
        migrations.AddField(
            model_name="carer",
            name="family_name_latin",
            field=models.CharField(blank=True, max_length=100, verbose_name="family name (Latin letters)"),
        ),
        migrations.AddField(
            model_name="carer",
            name="given_name_latin",
            field=models.CharField(blank=True, max_length=100, verbose_name="given name (Latin letters)"),
        ),
        migrations.AddField(
            model_name="child",
            name="family_name_latin",
            field=models.CharField(blank=True, max_length=100, verbose_name="family name (Latin letters)"),
        ),
        migrations.AddField(
            model_name="child",
            name="given_name_latin",
            field=models.CharField(blank=True, max_length=100, verbose_name="given name (Latin letters)"),
        ),
        migrations.AddField(
            model_name="householdmember",
            name="family_name_latin",
            field=models.CharField(blank=True, max_length=100, verbose_name="family name (Latin letters)"),
        ),
        migrations.AddField(
            model_name="householdmember",
            name="given_name_latin",
            field=models.CharField(blank=True, max_length=100, verbose_name="given name (Latin letters)"),
        ),
        migrations.CreateModel(
            name="CarerSearchKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(db_index=True, max_length=100)),
                (
                    "carer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="search_keys", to="register.carer"
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("carer", "key"), name="carer_search_key_once")],
            },
        ),
        migrations.CreateModel(
            name="ChildSearchKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(db_index=True, max_length=100)),
                (
                    "child",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="search_keys", to="register.child"
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("child", "key"), name="child_search_key_once")],
            },
        ),
        migrations.RunPython(fill_search_keys, migrations.RunPython.noop, elidable=True),
    ]
