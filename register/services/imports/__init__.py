"""Importing foster families from a spreadsheet (CSV or XLSX), one family a row.

The package, in the order the work is done:
- `reading`: the file read into rows of text, within limits;
- `rows`: each row mapped to a family's values and checked by register.inputs' CarerInput (the
  field rules of the API and the pages);
- this module: duplicates (the same phone or national ID twice in the file, or already on the
  register anywhere in the country), then, unless it is a dry run, every row written, only when
  every row is valid, in one transaction through `carer_create`, so the register never holds half
  a file. A family outside the importer's provinces is never named, only said to exist (API.md's
  `elsewhere`), and those answers are audited and limited per user and day (see "Duplicates");
- `template`: the spreadsheet to download and fill in.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first family row 2; blank
rows are skipped but still counted, so a number always points at the right line of the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from register.audit import audit_event
from register.errors import DomainError
from register.models import AuditEntry, Carer, ReferenceSequence
from register.rules.duplicates import Reason, carer_duplicate_reasons, national_id_key
from register.selectors.duplicates import carer_candidates_many, carer_facts
from register.services.carers import carer_create
from register.services.duplicates import duplicates_notify_elsewhere
from register.services.imports.reading import MAX_BYTES, MAX_COLUMNS, MAX_ROWS, ImportFileError, Table, read_table
from register.services.imports.rows import (
    COLUMNS,
    ENUM_CHOICES,
    LIST_COLUMNS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ImportRow,
    RowError,
    cells_of,
    column_order,
    django_errors,
    read_header,
    row_input,
    stray_values,
    validate_row,
)
from register.services.imports.template import (
    CSV_CONTENT_TYPE,
    EXAMPLE_ROW,
    TEMPLATE_FORMATS,
    XLSX_CONTENT_TYPE,
    carer_import_template,
)

__all__ = [
    "COLUMNS",
    "CSV_CONTENT_TYPE",
    "ENUM_CHOICES",
    "EXAMPLE_ROW",
    "LIST_COLUMNS",
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "TEMPLATE_FORMATS",
    "XLSX_CONTENT_TYPE",
    "CarerImportResult",
    "ElsewhereLimitReached",
    "ImportFileError",
    "ImportedCarer",
    "RowError",
    "Table",
    "carer_import",
    "carer_import_template",
    "carer_import_upload",
    "read_table",
    "row_input",
]

CHECKING_SHARE = 0.2  # of a real import's progress: checking the rows; creating them is the rest


@dataclass
class ImportedCarer:
    row: int
    carer: Carer


@dataclass
class CarerImportResult:
    rows: int
    valid: int
    created: int
    dry_run: bool
    errors: list[RowError] = field(default_factory=list)
    carers: list[ImportedCarer] = field(default_factory=list)


class _Rollback(Exception):
    def __init__(self, errors: list[RowError], elsewhere: Elsewhere | None = None):
        super().__init__("import rolled back")
        self.errors = errors
        self.elsewhere = elsewhere or Elsewhere(0, False)


# --- The import ---------------------------------------------------------------------------------


def carer_import(
    *,
    actor,
    file: BinaryIO,
    filename: str,
    dry_run: bool = True,
    progress: Callable[[float], None] | None = None,
) -> CarerImportResult:
    """Check (and unless `dry_run`, register) the families of a CSV or XLSX file.

    Raises ImportFileError when the file cannot be read as a table. Otherwise returns the counts and
    every error found, `{row, field, message}` with `field` a column name. Nothing is written unless
    every row is valid and `dry_run` is false; then every family is created through `carer_create`
    in one transaction, with one more audit entry for the import itself. `progress`, when given, is
    called with the share of the work done (0 to 1) as rows are checked and then created."""
    report = progress or (lambda fraction: None)
    # Checking is quick beside creating: a real import gives it the first fifth of the bar.
    checking_share = 1.0 if dry_run else CHECKING_SHARE
    # The limits as this module has them (a test lowers them here).
    table = read_table(file=file, filename=filename, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    _refuse_when_elsewhere_limit_reached(actor, filename=filename, rows=len(table.rows), dry_run=dry_run)
    header_errors, columns, missing = read_header(table.header_number, table.header)
    named = {index for index, name in enumerate(table.header) if name}
    rows = [ImportRow(number, cells_of(columns, values)) for number, values in table.rows]
    memo: dict = {}  # communes and villages looked up once per file
    for index, (row, (_number, values)) in enumerate(zip(rows, table.rows, strict=True), start=1):
        row.errors.extend(stray_values(row.number, named, values))
        validate_row(row, actor=actor, memo=memo, skip=missing)
        report(checking_share * index / len(rows))
    _check_duplicates_in_file(rows)
    elsewhere = _check_duplicates_in_register(rows, actor=actor)
    _audit_elsewhere(actor, elsewhere, filename=filename, rows=len(rows), dry_run=dry_run)

    errors = header_errors + [e for row in rows for e in row.errors]
    valid = 0 if missing else sum(1 for row in rows if not row.errors and row.data is not None)
    result = CarerImportResult(rows=len(rows), valid=valid, created=0, dry_run=dry_run, errors=errors)
    if dry_run or errors or not rows:
        return result
    try:
        result.carers = _create_all(
            rows,
            actor=actor,
            filename=filename,
            progress=lambda done: report(checking_share + (1 - checking_share) * done / len(rows)),
        )
    except _Rollback as rollback:
        # Audited here, after the rollback: an entry written inside the transaction would go with it.
        _audit_elsewhere(actor, rollback.elsewhere, filename=filename, rows=len(rows), dry_run=dry_run)
        result.errors = rollback.errors
        result.valid = len(rows) - len({e.row for e in rollback.errors})
        return result
    result.created = len(result.carers)
    return result


def carer_import_upload(*, actor, upload, dry_run: bool) -> CarerImportResult:
    """`carer_import` of an uploaded file, a file that cannot be read refused as a ValidationError on
    `file`: the field the admin's form and the API name it on."""
    try:
        return carer_import(actor=actor, file=upload, filename=upload.name, dry_run=dry_run)
    except ImportFileError as exc:
        raise ValidationError({"file": [exc.message]}) from None


def _create_all(
    rows: list[ImportRow], *, actor, filename: str, progress: Callable[[int], None] | None = None
) -> list[ImportedCarer]:
    """Every row through carer_create, all or nothing. The reference sequences of the provinces
    concerned are locked first (in code order, as carer_create would lock them one by one), so
    families registered meanwhile in those provinces are seen by the duplicate re-check."""
    provinces = sorted({row.data["commune"].province_id for row in rows})
    with transaction.atomic():
        for code in provinces:
            ReferenceSequence.objects.get_or_create(prefix="FC", province_id=code)
        list(
            ReferenceSequence.objects.select_for_update().filter(prefix="FC", province_id__in=provinces).order_by("pk")
        )
        for row in rows:
            row.errors = []
        elsewhere = _check_duplicates_in_register(rows, actor=actor)
        errors = [e for row in rows for e in row.errors]
        if errors:
            raise _Rollback(errors, elsewhere=elsewhere)
        created = []
        for row in rows:
            try:
                reviewed = {"duplicate_reviewed": row.reviewed} if row.reviewed else {}
                carer = carer_create(actor=actor, data=row.data, **reviewed)
            except ValidationError as exc:
                raise _Rollback(django_errors(row.number, exc)) from exc
            except DomainError as exc:
                raise _Rollback([RowError(row.number, "", str(exc.detail))]) from exc
            created.append(ImportedCarer(row.number, carer))
            if progress:
                progress(len(created))
        audit_event(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            model="register.CarerImport",
            object_id="",
            object_repr=_("Import of %(count)d families") % {"count": len(created)},
            province=provinces[0] if len(provinces) == 1 else "",
            changes={"rows": [None, len(rows)], "created": [None, len(created)], "filename": [None, filename]},
        )
    return created


# --- Duplicates ---------------------------------------------------------------------------------


def _check_duplicates_in_file(rows: list[ImportRow]) -> None:
    """Two rows that may be one family (register.rules.duplicates: the same phone or national ID, or
    a close name with the same birth date): an error on the later row, naming the earlier one."""
    earlier: dict[tuple, list[ImportRow]] = {}
    for row in rows:
        facts = _facts(row)
        if facts is None:
            continue
        keys = [("phone", facts.phone), ("nid", national_id_key(facts.national_id)), ("dob", facts.date_of_birth)]
        told: set[str] = set()
        others = {o.number: o for key in keys if key[1] for o in earlier.get(key, [])}
        for other in sorted(others.values(), key=lambda o: o.number):
            for reason in carer_duplicate_reasons(facts, _facts(other)):
                column = REASON_COLUMNS[reason]
                if column not in told:
                    told.add(column)
                    _add(
                        row,
                        column,
                        _("The same %(column)s as row %(row)d.") % {"column": column, "row": other.number}
                        if reason != Reason.SIMILAR_NAME_SAME_BIRTH_DATE
                        else _("A close name and the same date of birth as row %(row)d.") % {"row": other.number},
                    )
        for key in keys:
            if key[1]:
                earlier.setdefault(key, []).append(row)


# The column a reason is reported on.
REASON_COLUMNS = {
    Reason.SAME_PHONE: "phone",
    Reason.SAME_NATIONAL_ID: "national_id",
    Reason.SIMILAR_NAME_SAME_BIRTH_DATE: "given_name",
}


def _facts(row: ImportRow):
    """The row's facts for the duplicate rule: its checked values, or what could be read of a row
    with errors (the phone and national ID are still compared)."""
    values = dict(row.data or {})
    values.setdefault("phone", row.phone or "")
    values.setdefault("national_id", row.national_id)
    if not values["phone"] and not values["national_id"] and not values.get("date_of_birth"):
        return None
    return carer_facts(values)


def _check_duplicates_in_register(rows: list[ImportRow], *, actor) -> Elsewhere:
    """A family already on the register (any province, any status) that a row may repeat: the same
    phone or national ID, or a close name and the same birth date (register.rules.duplicates, the
    check of every other way in). One in the actor's provinces is named by its reference. One only
    outside them is said to exist, in one wording whatever its province, status, number or reason:
    the one bit API.md's `elsewhere` gives, never which record nor where; and the national
    administrators are told. A row whose `duplicate_reviewed` column gives a reason is not refused
    for it: the family is registered, the reason kept (as `duplicate_reviewed` in the API).

    Each answer "outside" counts against the actor's daily allowance (`elsewhere_limit`). Once it is
    spent, a row is no longer compared with other provinces' families: it says only that the limit
    is reached, whether or not it would have matched, so the rows past the allowance tell nothing.
    Returns what the audit needs: how many rows matched outside, whether any went untold."""
    checked = [(row, _facts(row)) for row in rows if not row.reviewed]
    checked = [(row, facts) for row, facts in checked if facts is not None]
    checks = carer_candidates_many(facts=[facts for _row, facts in checked], user=actor)
    found = list(zip([row for row, _facts in checked], checks, strict=True))

    # Only matches the actor may not see count: reserved at once, so that two imports at the same
    # time cannot both spend the same allowance.
    elsewhere = [(row, check) for row, check in found if check.outside and not check.candidates]
    allowed = _reserve_elsewhere_answers(actor, len(elsewhere))
    untold = False
    for row, check in found:
        if check.candidates:
            for candidate in check.candidates:
                for column in dict.fromkeys(REASON_COLUMNS[r] for r in candidate.reasons):
                    _add(
                        row,
                        column,
                        _("Possibly registered already as %(reference)s.") % {"reference": candidate.reference},
                    )
        elif allowed is not None and allowed <= 0:
            _add(row, "", _elsewhere_limit_message())  # matched or not: the same answer
            untold = untold or check.elsewhere
        elif check.outside:
            column = REASON_COLUMNS[check.outside[0].reasons[0]]
            _add(row, column, _("Possibly registered already outside your provinces."))
            duplicates_notify_elsewhere(kind="carer", check=check)
            if allowed is not None:
                allowed -= 1
    return Elsewhere(rows=len(elsewhere), untold=untold)


# --- Matches outside the importer's provinces: audited and limited -------------------------------


class Elsewhere(NamedTuple):
    rows: int  # rows with a phone or national ID matching only families outside the actor's provinces
    untold: bool  # some of them were not told, the daily limit being reached


def elsewhere_limit() -> int:
    """Answers "registered outside your provinces" one user may get in a day, every import together
    (settings.CARER_IMPORT_ELSEWHERE_LIMIT). A registrar's honest files meet a few; a file of
    guessed phone numbers, thousands."""
    return getattr(settings, "CARER_IMPORT_ELSEWHERE_LIMIT", 200)


def _allowance_key(actor) -> str | None:
    # A national administrator has no province outside theirs; an import without a user (a job whose
    # account is gone) has no one to limit.
    if not getattr(actor, "pk", None) or getattr(actor, "is_national", False):
        return None
    return f"carer-import-elsewhere:{actor.pk}:{timezone.localdate().isoformat()}"


ALLOWANCE_TTL = 2 * 24 * 3600  # the key names its day; kept a little longer, whatever the time zone


def _reserve_elsewhere_answers(actor, wanted: int) -> int | None:
    """How many of `wanted` answers the actor may still be given today (None: no limit), counted as
    given at once. The cache is shared by every process (Redis in production)."""
    key = _allowance_key(actor)
    if key is None:
        return None
    if not wanted:
        return max(0, elsewhere_limit() - cache.get(key, 0))
    cache.add(key, 0, timeout=ALLOWANCE_TTL)
    try:
        used = cache.incr(key, wanted)
    except ValueError:  # expired between add and incr
        cache.set(key, wanted, timeout=ALLOWANCE_TTL)
        used = wanted
    return max(0, elsewhere_limit() - (used - wanted))


def _elsewhere_limit_message() -> str:
    limit = elsewhere_limit()
    return ngettext(
        "Not compared with families outside your provinces: you have reached today's limit of %(limit)d "
        "such match. Nothing can be imported until tomorrow.",
        "Not compared with families outside your provinces: you have reached today's limit of %(limit)d "
        "such matches. Nothing can be imported until tomorrow.",
        limit,
    ) % {"limit": limit}


class ElsewhereLimitReached(ImportFileError):
    """The actor has spent today's allowance: the file is refused whole before any row is compared
    with the register, so that no answer (not even "valid") says anything about other provinces."""


def _refuse_when_elsewhere_limit_reached(actor, *, filename: str, rows: int, dry_run: bool) -> None:
    key = _allowance_key(actor)
    if key is None or cache.get(key, 0) < elsewhere_limit():
        return
    _audit_elsewhere(actor, Elsewhere(0, True), filename=filename, rows=rows, dry_run=dry_run, refused=True)
    limit = elsewhere_limit()
    raise ElsewhereLimitReached(
        ngettext(
            "You have reached today's limit of %(limit)d match with families outside your provinces: "
            "no file can be checked or imported until tomorrow. A national administrator can import it.",
            "You have reached today's limit of %(limit)d matches with families outside your provinces: "
            "no file can be checked or imported until tomorrow. A national administrator can import it.",
            limit,
        )
        % {"limit": limit}
    )


def _audit_elsewhere(
    actor, elsewhere: Elsewhere, *, filename: str, rows: int, dry_run: bool, refused: bool = False
) -> None:
    """One entry per import whose rows matched families outside the actor's provinces (or refused
    for the limit): how many rows, never which records, values or provinces."""
    if not elsewhere.rows and not refused:
        return
    audit_event(
        actor=actor,
        action=AuditEntry.Action.READ,
        model="register.CarerImportCheck",
        object_id="",
        object_repr=(
            _("Import refused: daily limit of matches outside the user's provinces reached")
            if refused
            else ngettext(
                "Import check: %(count)d row matched families outside the user's provinces",
                "Import check: %(count)d rows matched families outside the user's provinces",
                elsewhere.rows,
            )
            % {"count": elsewhere.rows}
        ),
        province="",
        changes={
            "rows_matched_elsewhere": [None, elsewhere.rows],
            "limit_reached": [None, elsewhere.untold],
            "refused": [None, refused],
            "rows": [None, rows],
            "dry_run": [None, dry_run],
            "filename": [None, filename],
        },
    )


def _add(row: ImportRow, column: str, message: str) -> None:
    row.errors.append(RowError(row.number, column, message))
    row.errors.sort(key=lambda e: column_order(e.field))
