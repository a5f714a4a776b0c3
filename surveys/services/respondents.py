"""Writes about respondents: add, edit, delete, erase, import files or rows (preview, then import), opt-outs.

An import checks every row (email, dates, language, audience, cell lengths, duplicates in the file,
opt-outs) and upserts the good ones by email in batches, so importing the same file twice adds
nothing twice. Files up to `MAX_INLINE_ROWS` rows import at once; larger ones in a Celery task
with a progress bar (`surveys.tasks_import`). Opt-outs are keyed by the email's hash and are
permanent: an opted-out address is never imported or added again.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import AuditEvent, Client, User
from accounts.services import audit_record, job_create, job_fail, job_progress, job_start, job_succeed
from cxgap_project.errors import ApplicationError, ConflictError
from cxgap_project.tenancy import current_client
from cxgap_project.tenant_tasks import enqueue, is_database_lost
from surveys.importers import MAX_FILE_BYTES, Column, ImportFileError, RespondentTable, open_table, rows_table
from surveys.links import new_token_salt, respondent_token_hash
from surveys.models import (
    Answer,
    Audience,
    InboundEvent,
    Invitation,
    InvitationState,
    OptOut,
    Respondent,
    RespondentImport,
    Response,
)
from surveys.selectors.respondents import optout_email_hash as optout_email_hash
from surveys.selectors.respondents import respondent_has_opted_out as respondent_has_opted_out

MAX_INLINE_ROWS = 2000
# A preview reads every row in the web request (about 8 s for 100,000 rows here); beyond this a
# file is refused as soon as the reader passes the limit, long before a request timeout.
MAX_FILE_ROWS = 100_000
BATCH_SIZE = 1000
MAX_STORED_ERRORS = 1000
PREVIEW_ROWS = 10
PREVIEW_ERRORS = 20
PREVIEW_CELL_LENGTH = 80
MAX_API_ROWS = 5000
MAX_VALUE_LENGTH = 500
FIELD_LIMITS = {"email": 254, "first_name": 100, "last_name": 100, "company": 200, "segment": 120}
ANCHOR_NAME = re.compile(r"^[a-z0-9][a-z0-9_]{0,59}$")
# Accepted dates: ISO 8601 (YYYY-MM-DD) or YYYY/MM/DD, optionally followed by a time; never
# DD/MM vs MM/DD, which cannot be told apart.
DATE_PATTERN = re.compile(
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
AUDIENCE_WORDS = {
    "customers": Audience.CUSTOMERS,
    "customer": Audience.CUSTOMERS,
    "clients": Audience.CUSTOMERS,
    "client": Audience.CUSTOMERS,
    "staff": Audience.STAFF,
    "employee": Audience.STAFF,
    "employees": Audience.STAFF,
}
OPTOUT_SOURCES = ("link", "one_click", "complaint", "bounce", "manual", "import", "api", "erasure")
UPSERT_FIELDS = [
    "first_name",
    "last_name",
    "company",
    "segment",
    "language",
    "audience",
    "anchor_dates",
    "attributes",
    "updated_at",
]


def _language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


# --- checking one row -----------------------------------------------------------------------


def parse_anchor_date(text: str) -> datetime.date | None:
    """A date in an accepted format (see DATE_PATTERN), or None."""
    match = DATE_PATTERN.match(text.strip())
    if match is None:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def normalise_language(text: str) -> str | None:
    """`en`, `EN`, `en-GB` and `fr_FR` read as a supported language code; None if not supported."""
    code = text.strip().lower().replace("_", "-").split("-")[0]
    return code if code in _language_codes() else None


@dataclass
class CheckedRow:
    row: int
    email: str
    values: dict[str, str] = field(default_factory=dict)  # respondent fields given in the row
    anchor_dates: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RowProblem:
    row: int
    code: str  # missing_email, bad_email, bad_date, bad_language, bad_audience, too_long, duplicate, opted_out
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "code": self.code, "reason": self.reason}


def _shown(value: str) -> str:
    return value if len(value) <= 60 else f"{value[:57]}…"


def check_row(number: int, cells: list[str], columns: list[Column]) -> CheckedRow | RowProblem:
    """One row's cells as respondent data, or the first problem found (all problems in its reason)."""
    problems: list[tuple[str, str]] = []
    checked = CheckedRow(row=number, email="")
    for column in columns:
        raw = cells[column.index] if column.index < len(cells) else ""
        value = raw.strip()
        if column.target == "ignored" or not value:
            continue
        limit = FIELD_LIMITS.get(column.target, MAX_VALUE_LENGTH)
        if len(value) > limit:
            problems.append(("too_long", f"cell too long: “{column.header}” has more than {limit} characters"))
            continue
        if column.target == "email":
            email = value.lower()
            try:
                validate_email(email)
            except ValidationError:
                problems.append(("bad_email", f"bad email “{_shown(value)}”"))
            checked.email = email
        elif column.target == "anchor":
            date = parse_anchor_date(value)
            if date is None:
                problems.append(("bad_date", f"bad date “{_shown(value)}” in “{column.header}” (use YYYY-MM-DD)"))
            else:
                checked.anchor_dates[column.name] = date.isoformat()
        elif column.target == "attribute":
            checked.attributes[column.name] = value
        elif column.target == "language":
            language = normalise_language(value)
            if language is None:
                codes = ", ".join(_language_codes())
                problems.append(("bad_language", f"unknown language “{_shown(value)}” (use {codes})"))
            else:
                checked.values["language"] = language
        elif column.target == "audience":
            audience = AUDIENCE_WORDS.get(value.lower())
            if audience is None:
                problems.append(("bad_audience", f"unknown audience “{_shown(value)}” (use customers or staff)"))
            else:
                checked.values["audience"] = audience
        else:
            checked.values[column.target] = value
    if not checked.email and not any(code == "too_long" for code, _reason in problems):
        problems.insert(0, ("missing_email", "no email"))
    if problems:
        return RowProblem(row=number, code=problems[0][0], reason="; ".join(reason for _code, reason in problems))
    return checked


# --- reading a table in checked batches ------------------------------------------------------


@dataclass
class ImportTally:
    """What an import did (or, in a preview, would do)."""

    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def add_problems(self, problems: list[RowProblem], *, keep: int) -> None:
        self.skipped += len(problems)
        room = keep - len(self.errors)
        self.errors.extend(problem.as_dict() for problem in problems[: max(0, room)])


def _checked_batches(table: RespondentTable) -> Iterator[tuple[list[CheckedRow], list[RowProblem]]]:
    """Batches of good rows and problems, in file order; duplicates and opt-outs become problems."""
    first_row_of: dict[str, int] = {}  # emails seen so far (bounded by the file, never model objects)
    good: list[CheckedRow] = []
    problems: list[RowProblem] = []
    for number, cells in table.rows:
        result = check_row(number, cells, table.columns)
        if isinstance(result, RowProblem):
            problems.append(result)
        elif result.email in first_row_of:
            problems.append(
                RowProblem(number, "duplicate", f"duplicate of row {first_row_of[result.email]} (same email)")
            )
        else:
            first_row_of[result.email] = number
            good.append(result)
        if len(good) + len(problems) >= BATCH_SIZE:
            yield _without_optouts(good, problems)
            good, problems = [], []
    if good or problems:
        yield _without_optouts(good, problems)


def _equals_any(column: str, values: list[str]) -> RawSQL:
    """`column = ANY(%s)` with one array parameter: a 1,000-value IN list costs more to build than to run."""
    return RawSQL(f"{column} = ANY(%s)", (values,), output_field=BooleanField())  # noqa: S611 - fixed column name


def _without_optouts(good: list[CheckedRow], problems: list[RowProblem]) -> tuple[list[CheckedRow], list[RowProblem]]:
    hashes = {optout_email_hash(row.email): row for row in good}
    opted_out = set(OptOut.objects.filter(_equals_any("email_hash", list(hashes))).values_list("email_hash", flat=True))
    if opted_out:
        problems = problems + [
            RowProblem(hashes[digest].row, "opted_out", "opted out of this client's surveys: never imported")
            for digest in opted_out
        ]
        good = [row for row in good if optout_email_hash(row.email) not in opted_out]
    return good, sorted(problems, key=lambda problem: problem.row)


def _merged(row: CheckedRow, current: Respondent | None, *, audience: str, language: str) -> Respondent:
    """The respondent after this row: given cells win, blank cells keep what was there."""
    values = row.values

    def pick(name: str, default: str = "") -> str:
        return values.get(name) or (getattr(current, name) if current is not None else default)

    return Respondent(
        email=row.email,
        first_name=pick("first_name"),
        last_name=pick("last_name"),
        company=pick("company"),
        segment=pick("segment"),
        language=pick("language", language),
        audience=values.get("audience") or audience,
        anchor_dates={**(current.anchor_dates if current else {}), **row.anchor_dates},
        attributes={**(current.attributes if current else {}), **row.attributes},
    )


def _is_same(before: Respondent, after: Respondent) -> bool:
    return all(getattr(before, name) == getattr(after, name) for name in UPSERT_FIELDS if name != "updated_at")


def _apply_batch(rows: list[CheckedRow], tally: ImportTally, *, audience: str, language: str, write: bool) -> None:
    """Count (and with `write`, upsert by email) one batch: INSERT … ON CONFLICT (email) DO UPDATE."""
    emails = [row.email for row in rows]
    existing = {respondent.email: respondent for respondent in Respondent.objects.filter(_equals_any("email", emails))}
    changed = []
    for row in rows:
        current = existing.get(row.email)
        if current is None:
            tally.new += 1
            if write:
                changed.append(_merged(row, None, audience=audience, language=language))
            continue
        after = _merged(row, current, audience=audience, language=language)
        if _is_same(current, after):
            tally.unchanged += 1
        else:
            tally.updated += 1
            changed.append(after)
    if write and changed:
        Respondent.objects.bulk_create(
            changed, update_conflicts=True, unique_fields=["email"], update_fields=UPSERT_FIELDS
        )


def _process(
    table: RespondentTable,
    *,
    audience: str,
    language: str,
    write: bool,
    keep_errors: int,
    on_batch: Callable[[int], None] | None = None,
) -> ImportTally:
    tally = ImportTally()
    for good, problems in _checked_batches(table):
        tally.total += len(good) + len(problems)
        tally.add_problems(problems, keep=keep_errors)
        if write:
            with transaction.atomic():
                _apply_batch(good, tally, audience=audience, language=language, write=True)
        else:
            _apply_batch(good, tally, audience=audience, language=language, write=False)
        if on_batch is not None:
            on_batch(tally.total)
    return tally


# --- imports --------------------------------------------------------------------------------


def _audience_or_error(audience: str) -> str:
    if audience not in Audience.values:
        raise ApplicationError("Choose customers or staff.", fields={"audience": "Choose customers or staff."})
    return audience


def _preview(table: RespondentTable, *, audience: str, language: str) -> tuple[dict[str, Any], ImportTally]:
    first_rows: list[list[str]] = []
    source_rows = table.rows

    def remember() -> Iterator[tuple[int, list[str]]]:
        for count, (number, cells) in enumerate(source_rows, start=1):
            if count > MAX_FILE_ROWS:
                raise ImportFileError(
                    f"This file has more than {MAX_FILE_ROWS:,} rows. Split it into files of at most "
                    f"{MAX_FILE_ROWS:,} rows and import them one after another."
                )
            if len(first_rows) < PREVIEW_ROWS:
                shown = [cells[column.index] if column.index < len(cells) else "" for column in table.columns]
                first_rows.append([str(number), *(_shown_cell(cell) for cell in shown)])
            yield number, cells

    table.rows = remember()
    tally = _process(table, audience=audience, language=language, write=False, keep_errors=PREVIEW_ERRORS)
    preview = {
        "columns": [column.as_dict() for column in table.columns],
        "rows": first_rows,
        "good_rows": tally.total - tally.skipped,
        "bad_rows": tally.skipped,
        "new_rows": tally.new,
        "known_rows": tally.updated + tally.unchanged,
        "errors": tally.errors,
        "notes": table.notes,
    }
    return preview, tally


def _shown_cell(cell: str) -> str:
    return cell if len(cell) <= PREVIEW_CELL_LENGTH else f"{cell[: PREVIEW_CELL_LENGTH - 1]}…"


def _file_extension(file_format: str) -> str:
    return {"xlsx": "xlsx"}.get(file_format, "csv")


@transaction.atomic
def respondent_import_upload(
    *, client: Client, acting_user: User, uploaded_file: UploadedFile, audience: str = Audience.CUSTOMERS
) -> RespondentImport:
    """Check a CSV/XLSX file and keep it for confirmation: the preview maps columns and counts good/bad rows."""
    audience = _audience_or_error(audience)
    size = uploaded_file.size or 0
    if size > MAX_FILE_BYTES:
        raise ApplicationError(
            "The file is too large.", fields={"file": f"Upload at most {MAX_FILE_BYTES // (1024 * 1024)} MB."}
        )
    file_name = PurePath(uploaded_file.name or "respondents").name[:255]
    stream = uploaded_file.file
    if stream is None:
        raise ApplicationError("Choose a file to upload.", fields={"file": "Choose a file to upload."})
    try:
        with open_table(stream) as table:
            preview, tally = _preview(table, audience=audience, language=client.language)
            file_format, encoding = table.file_format, table.encoding
    except ImportFileError as error:
        raise ImportFileError(error.message, fields={"file": error.message}) from error
    respondent_import = RespondentImport(
        file_name=file_name,
        source=RespondentImport.Source.FILE,
        file_format=file_format,
        encoding=encoding,
        file_size=size,
        audience=audience,
        preview=preview,
        total_rows=tally.total,
        created_by_user_id=acting_user.pk,
    )
    uploaded_file.seek(0)
    respondent_import.stored_file.save(f"{uuid.uuid4().hex}.{_file_extension(file_format)}", uploaded_file, save=False)
    respondent_import.full_clean()
    respondent_import.save()
    audit_record(
        actor=acting_user,
        client=client,
        action="respondent_import.upload",
        target=respondent_import,
        changes={"rows": tally.total, "bad_rows": tally.skipped, "encoding": encoding},
    )
    return respondent_import


@transaction.atomic
def respondent_import_confirm(
    *, client: Client, acting_user: User, respondent_import: RespondentImport
) -> RespondentImport:
    """Import a previewed file: at once up to MAX_INLINE_ROWS rows, else in the background with a progress bar."""
    respondent_import = RespondentImport.objects.select_for_update().get(pk=respondent_import.pk)
    if respondent_import.status != RespondentImport.Status.PREVIEW:
        raise ConflictError("This file has already been imported.")
    audit_record(
        actor=acting_user,
        client=client,
        action="respondent_import.confirm",
        target=respondent_import,
        changes={"rows": respondent_import.total_rows, "background": respondent_import.total_rows > MAX_INLINE_ROWS},
    )
    if respondent_import.total_rows <= MAX_INLINE_ROWS:
        respondent_import.status = RespondentImport.Status.RUNNING
        respondent_import.started_at = timezone.now()
        respondent_import.save(update_fields=["status", "started_at"])
        _run(respondent_import, client=client, job_id=None)
        return respondent_import
    job = job_create(
        client=client, kind="respondent_import", created_by=acting_user, total=respondent_import.total_rows
    )
    respondent_import.status = RespondentImport.Status.QUEUED
    respondent_import.job_id = job.pk
    respondent_import.save(update_fields=["status", "job_id"])
    from surveys.tasks_import import respondent_import_task

    schema_name, import_id, job_id = client.schema_name, respondent_import.pk, str(job.pk)
    transaction.on_commit(
        lambda: enqueue(respondent_import_task, schema_name=schema_name, import_id=import_id, job_id=job_id)
    )
    return respondent_import


@transaction.atomic
def respondent_import_fail(*, import_id: int, job_id: str | None, message: str) -> None:
    """Mark an interrupted background import failed. A finished one stays as it is (a second run of
    the task that tripped over it is not a failure of the import)."""
    respondent_import = RespondentImport.objects.select_for_update().filter(pk=import_id).first()
    if respondent_import is not None and respondent_import.status in (
        RespondentImport.Status.QUEUED,
        RespondentImport.Status.RUNNING,
    ):
        respondent_import.status = RespondentImport.Status.FAILED
        respondent_import.error_message = message[:500]
        respondent_import.finished_at = timezone.now()
        respondent_import.save(update_fields=["status", "error_message", "finished_at"])
    if job_id and (respondent_import is None or respondent_import.status == RespondentImport.Status.FAILED):
        job_fail(job_id=job_id, message=message)


def import_failure_message(error: Exception) -> str:
    """What the consultant reads when a background import stops."""
    if isinstance(error, ApplicationError):
        return error.message
    if is_database_lost(error):
        return (
            "The database connection was lost during the import (a restart or failover). "
            "Rows imported so far are kept; run the import again to finish it."
        )
    return f"The import stopped ({type(error).__name__}). Run it again; if it keeps failing, tell support."


@transaction.atomic
def respondent_import_retry(
    *, client: Client, acting_user: User, respondent_import: RespondentImport
) -> RespondentImport:
    """Run a failed background import again from its stored file. Rows are upserted by email, so
    the ones the failed run already imported are not added twice."""
    respondent_import = RespondentImport.objects.select_for_update().get(pk=respondent_import.pk)
    if respondent_import.status != RespondentImport.Status.FAILED:
        raise ConflictError("Only a failed import can be run again.")
    if not respondent_import.stored_file:
        raise ConflictError("The uploaded file is no longer kept; upload it again.")
    job = job_create(
        client=client, kind="respondent_import", created_by=acting_user, total=respondent_import.total_rows
    )
    respondent_import.status = RespondentImport.Status.QUEUED
    respondent_import.error_message = ""
    respondent_import.finished_at = None
    respondent_import.job_id = job.pk
    respondent_import.save(update_fields=["status", "error_message", "finished_at", "job_id"])
    audit_record(actor=acting_user, client=client, action="respondent_import.retry", target=respondent_import)
    from surveys.tasks_import import respondent_import_task

    schema_name, import_id, job_id = client.schema_name, respondent_import.pk, str(job.pk)
    transaction.on_commit(
        lambda: enqueue(respondent_import_task, schema_name=schema_name, import_id=import_id, job_id=job_id)
    )
    return respondent_import


def respondent_import_run(*, import_id: int, job_id: str | None = None) -> RespondentImport | None:
    """The background import (run by the task). Idempotent: a finished import is left alone, and a
    run cut short (worker lost) simply runs again, because rows are upserted by email."""
    with transaction.atomic():
        respondent_import = RespondentImport.objects.select_for_update().filter(pk=import_id).first()
        if respondent_import is None or respondent_import.status not in (
            RespondentImport.Status.QUEUED,
            RespondentImport.Status.RUNNING,
        ):
            return respondent_import
        respondent_import.status = RespondentImport.Status.RUNNING
        respondent_import.started_at = timezone.now()
        respondent_import.save(update_fields=["status", "started_at"])
    if job_id:
        job_start(job_id=job_id, total=respondent_import.total_rows, message="Importing respondents…")
    _run(respondent_import, client=current_client(), job_id=job_id)
    return respondent_import


def _run(respondent_import: RespondentImport, *, client: Client, job_id: str | None) -> None:
    """Read the stored file, upsert its good rows in batches, then record the report."""

    def progress(done: int) -> None:
        if job_id:
            job_progress(
                job_id=job_id, done=done, message=f"Imported {done:,} of {respondent_import.total_rows:,} rows…"
            )

    try:
        with respondent_import.stored_file.open("rb") as stored, open_table(stored.file) as table:
            tally = _process(
                table,
                audience=respondent_import.audience,
                language=client.language,
                write=True,
                keep_errors=MAX_STORED_ERRORS,
                on_batch=progress,
            )
    except ImportFileError as error:
        RespondentImport.objects.filter(pk=respondent_import.pk).update(
            status=RespondentImport.Status.FAILED, error_message=error.message[:500], finished_at=timezone.now()
        )
        respondent_import.status = RespondentImport.Status.FAILED
        if job_id:
            job_fail(job_id=job_id, message=error.message)
        return
    _finish(respondent_import, tally, client=client)
    if job_id:
        job_succeed(job_id=job_id, result=_summary(tally), message=_summary_text(tally))


def _finish(respondent_import: RespondentImport, tally: ImportTally, *, client: Client) -> None:
    with transaction.atomic():
        respondent_import.status = RespondentImport.Status.DONE
        respondent_import.total_rows = tally.total
        respondent_import.imported_rows = tally.new
        respondent_import.updated_rows = tally.updated
        respondent_import.skipped_rows = tally.skipped
        respondent_import.errors = tally.errors
        respondent_import.finished_at = timezone.now()
        stored_name = respondent_import.stored_file.name
        respondent_import.stored_file = ""  # type: ignore[assignment]
        respondent_import.save()
        creator_id = respondent_import.created_by_user_id
        actor = User.objects.filter(pk=creator_id).first() if creator_id else None
        audit_record(
            actor=actor,
            client=client,
            action="respondent_import.finish",
            target=respondent_import,
            changes=_summary(tally),
        )
    if stored_name:
        # The people's data stays in the respondents table; the uploaded copy is not kept.
        respondent_import.stored_file.storage.delete(stored_name)


def _summary(tally: ImportTally) -> dict[str, int]:
    return {
        "rows": tally.total,
        "new": tally.new,
        "updated": tally.updated,
        "unchanged": tally.unchanged,
        "skipped": tally.skipped,
    }


def _summary_text(tally: ImportTally) -> str:
    return f"{tally.new:,} new, {tally.updated:,} updated, {tally.unchanged:,} unchanged, {tally.skipped:,} skipped."


@transaction.atomic
def respondent_rows_import(
    *, client: Client, acting_user: User, rows: Sequence[Mapping[str, Any]], audience: str = Audience.CUSTOMERS
) -> RespondentImport:
    """Import rows sent as JSON objects (keys read like a file's column names), at once."""
    audience = _audience_or_error(audience)
    if not rows:
        raise ApplicationError("Send at least one row.", fields={"rows": "Send at least one row."})
    if len(rows) > MAX_API_ROWS:
        raise ApplicationError(
            "Too many rows in one request.", fields={"rows": f"Send at most {MAX_API_ROWS} rows; upload larger files."}
        )
    try:
        table = rows_table(rows)
    except ImportFileError as error:
        raise ImportFileError(error.message, fields={"rows": error.message}) from error
    tally = _process(table, audience=audience, language=client.language, write=True, keep_errors=MAX_STORED_ERRORS)
    respondent_import = RespondentImport(
        file_name="Rows sent through the API",
        source=RespondentImport.Source.ROWS,
        file_format="json",
        audience=audience,
        status=RespondentImport.Status.DONE,
        preview={"columns": [column.as_dict() for column in table.columns]},
        total_rows=tally.total,
        imported_rows=tally.new,
        updated_rows=tally.updated,
        skipped_rows=tally.skipped,
        errors=tally.errors,
        created_by_user_id=acting_user.pk,
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    respondent_import.full_clean()
    respondent_import.save()
    audit_record(
        actor=acting_user,
        client=client,
        action="respondent_import.rows",
        target=respondent_import,
        changes=_summary(tally),
    )
    return respondent_import


PREVIEW_KEPT_FOR = datetime.timedelta(days=2)


def respondent_import_previews_discard(*, now: datetime.datetime | None = None) -> int:
    """Delete uploaded files whose preview was never confirmed (after PREVIEW_KEPT_FOR): a file of
    people's data should not linger. The import is marked failed, saying why. Returns how many."""
    cutoff = (now or timezone.now()) - PREVIEW_KEPT_FOR
    discarded = 0
    for stale in RespondentImport.objects.filter(status=RespondentImport.Status.PREVIEW, created_at__lt=cutoff):
        with transaction.atomic():
            locked = RespondentImport.objects.select_for_update().filter(pk=stale.pk, status=stale.status).first()
            if locked is None:
                continue
            stored_name = locked.stored_file.name
            locked.status = RespondentImport.Status.FAILED
            locked.error_message = "Not confirmed within two days, so the uploaded file was deleted. Upload it again."
            locked.stored_file = ""  # type: ignore[assignment]
            locked.finished_at = timezone.now()
            locked.save(update_fields=["status", "error_message", "stored_file", "finished_at"])
        if stored_name:
            locked.stored_file.storage.delete(stored_name)
        discarded += 1
    return discarded


# --- single respondents ----------------------------------------------------------------------

RESPONDENT_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "company",
    "audience",
    "segment",
    "language",
    "anchor_dates",
    "attributes",
)


def _respondent_rules(respondent: Respondent) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    respondent.email = (respondent.email or "").strip().lower()
    for name in ("first_name", "last_name", "company", "segment"):
        setattr(respondent, name, (getattr(respondent, name) or "").strip())
    language = normalise_language(respondent.language or "")
    if language is None:
        errors["language"] = [f"Choose one of: {', '.join(_language_codes())}."]
    else:
        respondent.language = language
    anchors = respondent.anchor_dates
    if not isinstance(anchors, dict):
        errors["anchor_dates"] = ["Give anchor dates as name → YYYY-MM-DD."]
    else:
        cleaned: dict[str, str] = {}
        for name, value in anchors.items():
            date = parse_anchor_date(str(value)) if value is not None else None
            if not ANCHOR_NAME.match(str(name)):
                errors.setdefault("anchor_dates", []).append(
                    f"“{_shown(str(name))}” is not a valid name: lower-case letters, digits and underscores."
                )
            elif date is None:
                errors.setdefault("anchor_dates", []).append(
                    f"{name}: “{_shown(str(value))}” is not a YYYY-MM-DD date."
                )
            else:
                cleaned[str(name)] = date.isoformat()
        respondent.anchor_dates = cleaned
    attributes = respondent.attributes
    if not isinstance(attributes, dict) or not all(
        isinstance(value, str | int | float | bool) for value in attributes.values()
    ):
        errors["attributes"] = ["Give attributes as name → text."]
    else:
        respondent.attributes = {str(key).strip()[:100]: str(value).strip() for key, value in attributes.items()}
        if any(len(value) > MAX_VALUE_LENGTH for value in respondent.attributes.values()):
            errors["attributes"] = [f"Keep each attribute under {MAX_VALUE_LENGTH + 1} characters."]
    if respondent.email and respondent_has_opted_out(email=respondent.email):
        errors["email"] = ["This address opted out of this client's surveys and cannot be added again."]
    return errors


def _respondent_check_and_save(respondent: Respondent) -> Respondent:
    errors = _respondent_rules(respondent)
    try:
        respondent.full_clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    respondent.save()
    return respondent


@transaction.atomic
def respondent_create(*, client: Client, acting_user: User, email: str, **fields: Any) -> Respondent:
    """Add one person (see RESPONDENT_FIELDS); an opted-out address is refused."""
    unknown = set(fields) - set(RESPONDENT_FIELDS)
    if unknown:
        raise ApplicationError("Unknown respondent fields.", fields=dict.fromkeys(unknown, "Not a respondent field."))
    respondent = Respondent(email=email, language=client.language)
    for name, value in fields.items():
        if value is not None:
            setattr(respondent, name, value)
    _respondent_check_and_save(respondent)
    audit_record(actor=acting_user, client=client, action="respondent.create", target=respondent)
    return respondent


@transaction.atomic
def respondent_update(*, client: Client, acting_user: User, respondent: Respondent, **fields: Any) -> Respondent:
    unknown = set(fields) - set(RESPONDENT_FIELDS)
    if unknown:
        raise ApplicationError("Unknown respondent fields.", fields=dict.fromkeys(unknown, "Not a respondent field."))
    if respondent.erased_at is not None:
        raise ConflictError("This person was erased; there is nothing left to change.")
    before = {name: getattr(respondent, name) for name in fields}
    for name, value in fields.items():
        if value is not None:
            setattr(respondent, name, value)
    _respondent_check_and_save(respondent)
    changes = {
        name: [before[name], getattr(respondent, name)] for name in fields if before[name] != getattr(respondent, name)
    }
    if changes:
        audit_record(actor=acting_user, client=client, action="respondent.update", target=respondent, changes=changes)
    return respondent


@transaction.atomic
def respondent_delete(*, client: Client, acting_user: User, respondent: Respondent) -> None:
    """Delete someone who never answered. People with answers are kept (erasure is a separate request)."""
    if Response.objects.filter(respondent=respondent).exists():
        raise ConflictError(
            f"{respondent.email} has answered surveys, so their answers are kept. "
            "Erase the person instead (a data-protection erasure removes what identifies them)."
        )
    audit_record(actor=acting_user, client=client, action="respondent.delete", target=respondent)
    respondent.delete()


# --- erasure (a data-protection request) ----------------------------------------------------

ERASED_EMAIL_DOMAIN = "erased.invalid"  # .invalid is reserved: mail to it can never be delivered


def erased_email(respondent_id: int) -> str:
    """The placeholder address an erased person keeps (the email column is unique and required)."""
    return f"erased-{respondent_id}@{ERASED_EMAIL_DOMAIN}"


@dataclass(frozen=True)
class ErasureResult:
    respondent: Respondent
    responses: int  # responses kept (anonymised), so report counts do not change
    texts_blanked: int  # free-text answers emptied
    invitations: int  # survey links made useless
    opted_out: bool  # whether the address is (now) on the opt-out list


@transaction.atomic
def respondent_erase(
    *, client: Client, acting_user: User, respondent: Respondent, never_survey_again: bool = False
) -> ErasureResult:
    """Remove everything that identifies a person (email, name, company, anchor dates, attributes,
    survey links, free-text answers, their address in bounce events, import previews and audit
    labels) while keeping their rated answers, so compiled and future reports count the same.

    An opt-out stays (it is keyed by the email's hash); `never_survey_again` adds one first. Erasing
    twice is harmless: the second call finds nothing left and records nothing.
    """
    locked = Respondent.objects.select_for_update().get(pk=respondent.pk)
    if locked.erased_at is not None:
        return ErasureResult(locked, responses=0, texts_blanked=0, invitations=0, opted_out=False)
    email = locked.email
    if never_survey_again:
        optout_record(email=email, source="erasure", acting_user=acting_user, client=client)
    opted_out = respondent_has_opted_out(email=email)

    responses = Response.objects.filter(respondent=locked)
    response_count = responses.count()
    texts_blanked = Answer.objects.filter(response__in=responses).exclude(text="").update(text="")
    # An imported response's external id is the client's own key for the person.
    responses.exclude(external_id="").update(external_id="")

    invitations = Invitation.objects.filter(respondent=locked)
    invitation_count = invitations.count()
    invitations.filter(state=InvitationState.SCHEDULED).update(state=InvitationState.EXPIRED)
    for invitation in invitations.only("pk"):
        # A random salt and an unrelated hash: the emailed link no longer matches anything.
        Invitation.objects.filter(pk=invitation.pk).update(
            token_salt=new_token_salt(),
            token_hash=respondent_token_hash(uuid.uuid4().hex + new_token_salt()),
            last_error="",
            next_reminder_at=None,
        )

    InboundEvent.objects.filter(recipient__iexact=email).update(recipient="", payload={})
    for respondent_import in RespondentImport.objects.filter(preview__icontains=email):
        # The preview shows the first rows of the uploaded file as they were.
        respondent_import.preview = {**respondent_import.preview, "rows": []}
        respondent_import.save(update_fields=["preview"])
    AuditEvent.objects.filter(client=client).filter(
        Q(target_type="Respondent", target_id=str(locked.pk))
        | Q(target_label__icontains=email)
        | Q(changes__icontains=email)
    ).update(target_label=f"erased respondent #{locked.pk}", changes={})

    locked.email = erased_email(locked.pk)
    locked.first_name = locked.last_name = locked.company = ""
    locked.anchor_dates = {}
    locked.attributes = {}
    locked.erased_at = timezone.now()
    locked.save()
    audit_record(
        actor=acting_user,
        client=client,
        action="respondent.erase",
        target=locked,
        target_label=f"erased respondent #{locked.pk}",
        changes={"responses_kept": response_count, "texts_blanked": texts_blanked, "opted_out": opted_out},
    )
    return ErasureResult(
        locked,
        responses=response_count,
        texts_blanked=texts_blanked,
        invitations=invitation_count,
        opted_out=opted_out,
    )


# --- opt-outs -------------------------------------------------------------------------------


@transaction.atomic
def optout_record(*, email: str, source: str, acting_user: User | None = None, client: Client | None = None) -> OptOut:
    """Record a permanent opt-out of this client's surveys (idempotent: once per address)."""
    email = (email or "").strip().lower()
    if not email:
        raise ApplicationError("Give the email address.", fields={"email": "This field is required."})
    if source not in OPTOUT_SOURCES:
        raise ApplicationError(
            "Unknown opt-out source.", fields={"source": f"Use one of: {', '.join(OPTOUT_SOURCES)}."}
        )
    optout, created = OptOut.objects.get_or_create(email_hash=optout_email_hash(email), defaults={"source": source})
    if created:
        audit_record(
            actor=acting_user,
            client=client if client is not None else current_client(),
            action="optout.create",
            target=optout,
            target_label=f"opt-out ({source})",
            changes={"source": source},
        )
    return optout


@transaction.atomic
def optout_add_manually(*, client: Client, acting_user: User, email: str) -> tuple[OptOut, bool]:
    """A consultant records someone's wish not to be surveyed; returns (opt-out, whether it is new)."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ApplicationError(
            "Enter a valid email address.", fields={"email": "Enter a valid email address."}
        ) from error
    existed = respondent_has_opted_out(email=email)
    optout = optout_record(email=email, source="manual", acting_user=acting_user, client=client)
    return optout, not existed
