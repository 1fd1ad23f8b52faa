import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from register.audit import audit_write, diff, snapshot
from register.models import AuditEntry, Province
from register.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_audit_write_records_who_what_and_changes():
    user = make_user(Role.REGISTRAR)
    province = Province.objects.get(code="02")
    entry = audit_write(actor=user, action="update", instance=province, changes={"name_en": ["a", "b"]})
    entry.refresh_from_db()
    assert entry.actor == user and entry.actor_username == user.username
    assert (entry.model, entry.object_id) == ("register.Province", "02")
    assert entry.changes == {"name_en": ["a", "b"]}
    assert entry.at is not None


def test_diff_lists_only_changed_fields():
    province = Province.objects.get(code="02")
    before = snapshot(province)
    province.name_en = "Changed"
    assert diff(before, snapshot(province)) == {"name_en": ["Battambang", "Changed"]}


def test_entries_cannot_be_changed_or_deleted_through_the_orm():
    entry = audit_write(actor=None, action="create", instance=Province.objects.get(code="02"))
    entry.action = "delete"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_database_refuses_update_and_delete_of_audit_rows():
    entry = audit_write(actor=None, action="create", instance=Province.objects.get(code="02"))
    for statement in ("UPDATE register_auditentry SET action = 'x'", "DELETE FROM register_auditentry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement)
    assert AuditEntry.objects.filter(pk=entry.pk, action="create").exists()


def test_audit_trail_is_visible_to_national_admins_only_in_the_admin(client):
    admin_user = make_user(Role.NATIONAL_ADMIN, is_staff=True)
    registrar = make_user(Role.REGISTRAR, is_staff=True)
    audit_write(actor=None, action="create", instance=Province.objects.get(code="02"))
    client.force_login(admin_user)
    page = client.get("/admin/register/auditentry/")
    assert page.status_code == 200
    entry = AuditEntry.objects.first()
    assert client.post(f"/admin/register/auditentry/{entry.pk}/delete/").status_code == 403
    client.force_login(registrar)
    assert client.get("/admin/register/auditentry/").status_code == 403
