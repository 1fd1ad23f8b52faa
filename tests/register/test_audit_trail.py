import pytest
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.db.utils import DatabaseError

from register.audit import audit_reads, audit_write, diff, snapshot
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


def test_entries_cannot_be_changed_or_deleted_in_bulk_through_the_orm():
    entry = audit_write(actor=None, action="create", instance=Province.objects.get(code="02"))
    entries = AuditEntry.objects.filter(pk=entry.pk)
    for attempt in (
        lambda: entries.update(action="delete"),
        lambda: entries.delete(),
        lambda: AuditEntry.objects.all().delete(),
        lambda: AuditEntry.objects.bulk_update([entry], ["action"]),
        lambda: AuditEntry.objects.update_or_create(pk=entry.pk, defaults={"action": "delete"}),
        lambda: entries._raw_delete(entries.db),
    ):
        with pytest.raises(PermissionError):
            attempt()
    assert AuditEntry.objects.filter(pk=entry.pk, action="create").exists()


def test_entries_can_still_be_added_one_by_one_and_in_bulk():
    province = Province.objects.get(code="02")
    audit_reads(actor=None, instances=[province, province])
    assert AuditEntry.objects.filter(action="read", object_id="02").count() == 2


def test_deleting_an_account_neither_deletes_nor_rewrites_its_entries():
    # PROTECT: SET_NULL would rewrite the entries' actor (and PostgreSQL's trigger would refuse it),
    # CASCADE would delete them. An account that acted is deactivated instead.
    user = make_user(Role.REGISTRAR)
    entry = audit_write(actor=user, action="create", instance=Province.objects.get(code="02"))
    with pytest.raises(ProtectedError):
        user.delete()
    entry.refresh_from_db()
    assert entry.actor_id == user.pk and entry.actor_username == user.username


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_database_refuses_update_and_delete_of_audit_rows():
    entry = audit_write(actor=None, action="create", instance=Province.objects.get(code="02"))
    for statement in ("UPDATE register_auditentry SET action = 'x'", "DELETE FROM register_auditentry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement)
    assert AuditEntry.objects.filter(pk=entry.pk, action="create").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_the_trigger_leaves_truncate_alone_for_flush_and_restores():
    # pytest-django's transactional tests and `manage.py flush` empty tables with TRUNCATE, and
    # scripts/backup.sh restores with pg_restore (COPY, an INSERT): neither may be refused.
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tgtype FROM pg_trigger WHERE tgname = 'register_auditentry_append_only' AND NOT tgisinternal"
        )
        (tgtype,) = cur.fetchone()
    row, insert, delete, update, truncate = 1, 4, 8, 16, 32  # pg_trigger.tgtype bits
    assert tgtype & row and tgtype & delete and tgtype & update
    assert not tgtype & insert and not tgtype & truncate
    audit_write(actor=None, action="create", instance=Province.objects.get(code="02"))
    with transaction.atomic(), connection.cursor() as cur:
        sid = transaction.savepoint()
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred foreign-key checks pending
        cur.execute("TRUNCATE register_auditentry")
        assert not AuditEntry.objects.exists()
        transaction.savepoint_rollback(sid)
    assert AuditEntry.objects.exists()


def test_no_api_endpoint_reads_or_writes_the_audit_trail():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p

    for route, pattern in walk(get_resolver().url_patterns):
        if not route.startswith("api/"):
            continue
        view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
        queryset = getattr(view, "queryset", None)
        serializer = getattr(view, "serializer_class", None)
        models = {getattr(queryset, "model", None), getattr(getattr(serializer, "Meta", None), "model", None)}
        assert AuditEntry not in models, f"{route} exposes the audit trail"
        assert "audit" not in route.lower(), route


def test_no_one_may_add_change_or_delete_audit_entries_in_the_admin_not_even_a_superuser(client):
    superuser = make_user(Role.NATIONAL_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(superuser)
    entry = audit_write(actor=None, action="create", instance=Province.objects.get(code="02"))
    base = "/admin/register/auditentry/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}{entry.pk}/change/").status_code == 200  # a read-only view
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}add/", {"action": "create", "model": "x"}).status_code == 403
    assert client.post(f"{base}{entry.pk}/change/", {"action": "delete"}).status_code == 403
    assert client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    listing = client.get(base)
    assert "delete_selected" not in listing.content.decode()
    client.post(base, {"action": "delete_selected", "_selected_action": [str(entry.pk)], "post": "yes"})
    entry.refresh_from_db()
    assert entry.action == "create"


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
