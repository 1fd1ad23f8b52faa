"""Reference data that `migrate` alone must provide: the gazetteer, the role groups, and on
PostgreSQL a trigger that makes the audit trail append-only even for direct SQL."""

from django.db import migrations

from register.reference_data import load_gazetteer
from register.roles import Role


def load(apps, schema_editor):
    load_gazetteer(*(apps.get_model("register", m) for m in ("Province", "District", "Commune", "Village")))


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role in Role.values:
        Group.objects.get_or_create(name=role)


APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION register_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER register_auditentry_append_only
    BEFORE UPDATE OR DELETE ON register_auditentry
    FOR EACH ROW EXECUTE FUNCTION register_auditentry_append_only();
"""
DROP_APPEND_ONLY_SQL = """
DROP TRIGGER IF EXISTS register_auditentry_append_only ON register_auditentry;
DROP FUNCTION IF EXISTS register_auditentry_append_only();
"""


def protect_audit(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL)


def unprotect_audit(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY_SQL)


class Migration(migrations.Migration):
    dependencies = [("register", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(protect_audit, unprotect_audit),
    ]
