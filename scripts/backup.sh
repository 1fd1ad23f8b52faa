#!/usr/bin/env bash
# Back up the register's PostgreSQL database, or restore a backup into a new, empty database.
#
#   scripts/backup.sh dump    FILE            # DATABASE_URL: the database to back up
#   scripts/backup.sh restore FILE NEW_URL    # NEW_URL: an empty database, created beforehand
#
# pg_dump's custom format: compressed, and restorable table by table. Everything is in it: the
# register, the audit trail and its append-only trigger, users and their provinces. Restoring
# only inserts rows (COPY), which the audit trail's trigger allows. Keep backups encrypted and
# off the server: they hold children's records.
set -euo pipefail

case "${1:-}" in
    dump)
        : "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
        pg_dump --format=custom --no-owner --no-privileges --file="$2" "$DATABASE_URL"
        ;;
    restore)
        pg_restore --exit-on-error --no-owner --no-privileges --single-transaction --dbname="$3" "$2"
        ;;
    *)
        sed -n '2,5p' "$0" >&2
        exit 2
        ;;
esac
