"""A backup restored into a fresh database gives back every record and the whole audit trail
(scripts/backup.sh, as the README documents it)."""

import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from register.models import AuditEntry
from register.roles import Role
from tests.factories import CarerFactory, make_user
from tests.register.placements_factories import days, place, today
from tests.support import ROOT, _database_url

TABLES = [
    "register_carer",
    "register_child",
    "register_placement",
    "register_visit",
    "register_auditentry",
    "register_user",
    "register_village",
    "matching_matchingpolicy",
    "notifications_reminderpolicy",
]


def _rows(url: str, table: str) -> list[tuple]:
    with psycopg.connect(url) as db:
        return db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()  # noqa: S608 - our own table names


def test_a_restored_backup_gives_back_every_record_and_the_audit_trail(real_stack, transactional_db, tmp_path: Path):
    officer = make_user(Role.PLACEMENT_OFFICER)
    CarerFactory.create_batch(3)
    place(start_date=today() - days(40), actor=officer)  # a placement, its visits and their audit entries
    assert AuditEntry.objects.exists()
    source = _database_url()
    dump = tmp_path / "register.dump"
    script = ROOT / "scripts" / "backup.sh"
    subprocess.run([script, "dump", dump], env={"DATABASE_URL": source, "PATH": "/usr/bin:/bin"}, check=True)

    name = f"restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    restored = source.rsplit("/", 1)[0] + f"/{name}"
    try:
        subprocess.run([script, "restore", dump, restored], check=True)
        for table in TABLES:
            assert _rows(restored, table) == _rows(source, table), table
        # The audit trail is still append-only after the restore.
        with psycopg.connect(restored) as db, pytest.raises(psycopg.Error):
            db.execute("DELETE FROM register_auditentry")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
