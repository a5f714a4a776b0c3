"""Respondent writes: opening a link, saving a page, completing once, opting out, importing answers.

Pages are saved under a row lock on the invitation and its response, and answers are upserted by
the (response, question) constraint, so double clicks, two tabs and late submits never duplicate
or lose answers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from accounts.models import Client, User
from accounts.services import audit_record, client_summary_refresh_soon
from cxgap_project.db import PreparedQuery, fetched_together, run_together, update_statement
from cxgap_project.errors import ApplicationError, ConflictError
from cxgap_project.tenancy import current_schema_name
from surveys.models import (
    Answer,
    Campaign,
    CampaignStatus,
    Invitation,
    InvitationState,
    Question,
    QuestionKind,
    QuestionPage,
    Respondent,
    Response,
)
from surveys.selectors.answering import (
    importance_items,
    invitation_is_closed,
    question_scale,
    questionnaire_page_list,
    required_unanswered,
    visible_dimensions,
)

TEXT_MAX_LENGTH = 5000
OPEN_FOR_ANSWERS = (
    InvitationState.SCHEDULED,
    InvitationState.SENDING,
    InvitationState.SENT,
    InvitationState.OPENED,
    InvitationState.STARTED,
    InvitationState.BOUNCED,
    InvitationState.FAILED,
)


class AnswerError(ApplicationError):
    """Answers that cannot be stored. `is_tampered`: no honest form sends this (HTTP 400)."""

    def __init__(self, message: str, *, fields: Mapping[str, Any] | None = None, is_tampered: bool = False) -> None:
        super().__init__(message, fields=fields)
        self.is_tampered = is_tampered


class SurveyClosedError(ConflictError):
    """The campaign closed or expired: nothing more is stored (what was saved stays)."""


class AlreadyCompletedError(ConflictError):
    """The survey was completed before: a second submit stores nothing."""


@dataclass
class CleanAnswer:
    question: Question
    value: int | None = None
    expectation: int | None = None
    choices: list[str] = field(default_factory=list)
    text: str = ""
    allocation: dict[str, int] = field(default_factory=dict)
    is_blank: bool = False


def _integer(raw: str, low: int, high: int) -> int | None:
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def clean_answer(question: Question, data: Any, names: dict[str, str]) -> tuple[CleanAnswer, str | None, bool]:
    """(answer, error message or None, tampered?) for one question from posted data."""
    name = f"q{question.pk}"
    answer = CleanAnswer(question=question)
    kind = question.kind
    required_error = _("Please answer this question.")
    if kind == QuestionKind.SERVQUAL_PAIR:
        raw_p, raw_e = data.get(name, "").strip(), data.get(f"{name}e", "").strip()
        if not raw_p and not raw_e:
            answer.is_blank = True
            return answer, required_error if question.is_required else None, False
        perception, expectation = _integer(raw_p, 1, 7), _integer(raw_e, 1, 7)
        if (raw_p and perception is None) or (raw_e and expectation is None):
            return answer, _("Choose a number from 1 to 7."), True
        if perception is None or expectation is None:
            return answer, _("Please answer both scales."), False
        answer.value, answer.expectation = perception, expectation
    elif kind in (QuestionKind.LIKERT, QuestionKind.NPS, QuestionKind.CSAT, QuestionKind.CES):
        raw = data.get(name, "").strip()
        if not raw:
            answer.is_blank = True
            return answer, required_error if question.is_required else None, False
        low, high = question_scale(question)
        answer.value = _integer(raw, low, high)
        if answer.value is None:
            return answer, _("Choose a number from %(low)s to %(high)s.") % {"low": low, "high": high}, True
    elif kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTI_CHOICE):
        chosen = [value for value in data.getlist(name) if value.strip()]
        options = [str(option) for option in question.options or []]
        if not chosen:
            answer.is_blank = True
            return answer, required_error if question.is_required else None, False
        if any(value not in options for value in chosen) or (kind == QuestionKind.SINGLE_CHOICE and len(chosen) > 1):
            return answer, _("Choose one of the options shown."), True
        answer.choices = list(dict.fromkeys(chosen))
    elif kind == QuestionKind.TEXT:
        text = data.get(name, "").strip()
        if not text:
            answer.is_blank = True
            return answer, required_error if question.is_required else None, False
        if len(text) > TEXT_MAX_LENGTH:
            return answer, _("Please keep your answer under %(count)s characters.") % {"count": TEXT_MAX_LENGTH}, True
        answer.text = text
    elif kind == QuestionKind.IMPORTANCE:
        items = importance_items(question, names)
        raw_points = {item.key: data.get(f"{name}.{item.key}", "").strip() for item in items}
        if not any(raw_points.values()):
            answer.is_blank = True
            return answer, required_error if question.is_required else None, False
        points: dict[str, int] = {}
        for key, raw in raw_points.items():
            value = _integer(raw or "0", 0, 100)
            if value is None:
                return answer, _("Give each item a whole number of points from 0 to 100."), raw.lstrip("-").isdigit()
            points[key] = value
        if sum(points.values()) != 100:
            return answer, _("The points must add up to 100 (now %(total)s).") % {"total": sum(points.values())}, False
        answer.allocation = points
    else:  # pragma: no cover - a kind this page does not know
        return answer, _("This question cannot be answered here."), True
    return answer, None, False


def page_answers_clean(*, page: QuestionPage, data: Any, names: dict[str, str]) -> list[CleanAnswer]:
    """Validate one page; AnswerError lists the problems per question field."""
    questions = list(page.questions.all())
    on_page = {f"q{question.pk}" for question in questions}
    for key in data:
        if key.startswith("q") and key[1:2].isdigit():
            base = key.split(".")[0].rstrip("e")
            if base not in on_page:
                raise AnswerError(_("These answers do not belong to this page."), is_tampered=True)
    answers: list[CleanAnswer] = []
    errors: dict[str, str] = {}
    tampered = False
    for question in questions:
        answer, error, is_tampered = clean_answer(question, data, names)
        if error:
            errors[f"q{question.pk}"] = error
            tampered = tampered or is_tampered
        answers.append(answer)
    if errors:
        raise AnswerError(_("Please check the highlighted questions."), fields=errors, is_tampered=tampered)
    return answers


def _store(response: Response, answers: list[CleanAnswer]) -> None:
    blank = [answer.question.pk for answer in answers if answer.is_blank]
    if blank:
        Answer.objects.filter(response=response, question_id__in=blank).delete()
    rows = [
        Answer(
            response=response,
            question=answer.question,
            value=answer.value,
            expectation=answer.expectation,
            choices=answer.choices,
            text=answer.text,
            allocation=answer.allocation,
        )
        for answer in answers
        if not answer.is_blank
    ]
    Answer.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["response", "question"],
        update_fields=["value", "expectation", "choices", "text", "allocation"],
    )


LOCKED_INVITATION_FIELDS = ("state", "started_at", "completed_at", "next_reminder_at", "campaign_id", "respondent_id")


# Compiled once per process (a page submit is the hottest write path; compiling costs more CPU
# than PostgreSQL spends running these).
_INVITATION_LOCKED = PreparedQuery(
    lambda invitation_id: (
        Invitation.objects.select_for_update().only(*LOCKED_INVITATION_FIELDS).filter(pk=invitation_id)
    ),
    invitation_id=int,
)
_RESPONSE_LOCKED = PreparedQuery(
    lambda invitation_id: Response.objects.select_for_update().filter(invitation_id=invitation_id),
    invitation_id=int,
)
_ANSWERED = PreparedQuery(
    lambda invitation_id: Answer.objects.filter(response__invitation_id=invitation_id).only("question_id"),
    invitation_id=int,
)
_DIMENSION_NAMES = PreparedQuery(lambda: visible_dimensions().only("key", "name"))


@dataclass
class _SubmitState:
    """What a page submit decides on, read under the invitation's lock."""

    invitation: Invitation
    response: Response | None
    answered: set[int]  # questions answered before this submit (read only when completing)
    dimension_names: dict[str, str]  # read only for a page with an importance question


def _submit_state_locked(invitation: Invitation, *, with_answered: bool, with_names: bool) -> _SubmitState:
    """The invitation under a row lock, then its response under a lock, and what the page needs:
    statements sent together, in one round trip (a page submit is bound by round trips).

    The response is read by a statement of its own after the lock, not joined into the locking
    query: PostgreSQL re-reads only the locked row of a join, which would still show "no response"
    to the second of two simultaneous first submits, and that one would create a second response.
    Statements sent together run in order, each on a fresh snapshot, so this holds for them as it
    does for separate queries. Only the invitation's changing fields are re-read; the campaign
    and respondent the caller loaded are reused (a lock on the invitation does not lock them).
    """
    queries = [
        _INVITATION_LOCKED.bind(invitation_id=invitation.pk),
        _RESPONSE_LOCKED.bind(invitation_id=invitation.pk),
    ]
    if with_answered:
        queries.append(_ANSWERED.bind(invitation_id=invitation.pk))
    if with_names:
        queries.append(_DIMENSION_NAMES.bind())
    results = fetched_together(*queries)
    if not results[0]:
        raise Invitation.DoesNotExist
    locked = results[0][0]
    for name in ("campaign", "respondent"):
        field_ = Invitation._meta.get_field(name)
        assert isinstance(field_, models.ForeignKey)
        if field_.is_cached(invitation) and getattr(locked, field_.attname) == getattr(invitation, field_.attname):
            field_.set_cached_value(locked, field_.get_cached_value(invitation))
    rest = iter(results[2:])
    return _SubmitState(
        invitation=locked,
        response=next(iter(results[1]), None),
        answered={answer.question_id for answer in next(rest)} if with_answered else set(),
        dimension_names={dimension.key: dimension.name for dimension in next(rest)} if with_names else {},
    )


@transaction.atomic
def invitation_open(*, invitation: Invitation, now: dt.datetime | None = None) -> None:
    """The link was opened: `sent` → `opened` (once; later states stay)."""
    now = now or timezone.now()
    Invitation.objects.filter(pk=invitation.pk, opened_at=None).update(opened_at=now)
    Invitation.objects.filter(pk=invitation.pk, state=InvitationState.SENT).update(state=InvitationState.OPENED)


@dataclass(frozen=True)
class PageSaved:
    next_page: int
    is_completed: bool


@transaction.atomic
def response_page_save(
    *,
    invitation: Invitation,
    page_index: int,
    data: Any,
    language: str,
    now: dt.datetime | None = None,
    pages: list[QuestionPage] | None = None,
) -> PageSaved:
    """Validate and store one page; the last page completes the survey once.

    `pages`: the questionnaire's pages with their questions, when the caller has loaded them
    already (the respondent view has; a launched questionnaire does not change).

    Round trips: one for the locks and reads, one per write (the answers, a new response) and
    one for the closing updates together (bench/respondent_submit_bench.py measures it).
    """
    now = now or timezone.now()
    if pages is None:
        pages = questionnaire_page_list(invitation=invitation)
    page = pages[page_index] if 0 <= page_index < len(pages) else None
    is_last = page_index == len(pages) - 1
    has_importance = page is not None and any(
        question.kind == QuestionKind.IMPORTANCE for question in page.questions.all()
    )
    state = _submit_state_locked(invitation, with_answered=is_last, with_names=has_importance)
    invitation, response = state.invitation, state.response
    if response is not None and response.status == Response.Status.COMPLETED:
        raise AlreadyCompletedError(_("You have already completed this survey. Thank you!"))
    if invitation_is_closed(invitation) or invitation.state not in OPEN_FOR_ANSWERS:
        raise SurveyClosedError(_("This survey has closed. Thank you for your interest."))
    reached = response.current_page if response is not None else 0
    if page is None or page_index > reached:
        raise AnswerError(_("This page is not part of your survey."), is_tampered=True)
    answers = page_answers_clean(page=page, data=data, names=state.dimension_names)
    if is_last:
        answered = (state.answered | {answer.question.pk for answer in answers if not answer.is_blank}) - {
            answer.question.pk for answer in answers if answer.is_blank
        }
        missing = required_unanswered(pages=pages, answered=answered)
        if missing:
            first_missing = next(
                index for index, page in enumerate(pages) if any(q.pk in missing for q in page.questions.all())
            )
            raise AnswerError(
                _("Some required questions on an earlier page are not answered yet."),
                fields={"page": str(first_missing)},
            )
    next_page = min(page_index + 1, len(pages) - 1)
    completion: dict[str, Any] = {"status": Response.Status.COMPLETED, "completed_at": now} if is_last else {}
    closing = []
    created = response is None
    if response is None:
        respondent = invitation.respondent
        response = Response.objects.create(
            invitation=invitation,
            campaign=invitation.campaign,
            questionnaire=invitation.campaign.questionnaire,
            respondent=respondent,
            segment=respondent.segment if respondent is not None else "",
            language=language,
            current_page=next_page,
            started_at=now,
            **completion,
        )
    else:
        closing.append(
            update_statement(
                Response.objects.filter(pk=response.pk),
                language=language,
                current_page=max(response.current_page, next_page),
                updated_at=now,  # auto_now: update() does not set it
                **completion,
            )
        )
    _store(response, answers)
    invitation_changes: dict[str, Any] = {}
    if invitation.started_at is None:
        invitation_changes["started_at"] = now
    if invitation.state in (InvitationState.SCHEDULED, InvitationState.SENT, InvitationState.OPENED):
        invitation_changes["state"] = InvitationState.STARTED
    if is_last:
        invitation_changes.update(state=InvitationState.COMPLETED, completed_at=now, next_reminder_at=None)
    if invitation_changes:
        closing.append(update_statement(Invitation.objects.filter(pk=invitation.pk), **invitation_changes))
    run_together(*closing)
    if is_last and not created:
        # The update sends no post_save: ask for the cockpit's response rate to be refreshed.
        client_summary_refresh_soon(schema_name=current_schema_name())
    return PageSaved(next_page=page_index if is_last else page_index + 1, is_completed=is_last)


@transaction.atomic
def respondent_opt_out(*, client: Client, invitation: Invitation, source: str) -> None:
    """Permanent opt-out of this client's surveys; every open invitation of the respondent stops."""
    from surveys.services.respondents import optout_record

    respondent = Respondent.objects.filter(pk=invitation.respondent_id).first() if invitation.respondent_id else None
    stoppable = [
        InvitationState.SCHEDULED,
        InvitationState.SENDING,
        InvitationState.SENT,
        InvitationState.OPENED,
        InvitationState.STARTED,
    ]
    if respondent is not None:
        optout_record(email=respondent.email, source=source)
        invitations = Invitation.objects.filter(respondent=respondent, state__in=stoppable)
    else:
        invitations = Invitation.objects.filter(pk=invitation.pk, state__in=stoppable)
    count = invitations.update(state=InvitationState.OPTED_OUT, claim_id=None, kind_in_flight="", next_reminder_at=None)
    audit_record(
        actor=None,
        client=client,
        action="respondent.opt_out",
        target=invitation,
        target_label=f"respondent #{invitation.respondent_id}",
        changes={"source": source, "invitations_stopped": count},
    )


# --- importing answers collected elsewhere ------------------------------------------------


@dataclass
class AnswerImportReport:
    total_rows: int = 0
    imported: int = 0
    already_imported: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


FIXED_COLUMNS = ("email", "completed_at", "external_id")


def _import_value(question: Question, raw: str, column: str) -> dict[str, Any]:
    """Answer fields for one cell; ValueError with the reason when the cell is not valid."""
    raw = raw.strip()
    kind = question.kind
    if kind in (QuestionKind.LIKERT, QuestionKind.NPS, QuestionKind.CSAT, QuestionKind.CES, QuestionKind.SERVQUAL_PAIR):
        low, high = question_scale(question)
        number = _integer(raw, low, high)
        if number is None:
            raise ValueError(f"{column}: {raw[:40]!r} is not a number from {low} to {high}")
        if kind == QuestionKind.SERVQUAL_PAIR and column.upper().endswith("_E"):
            return {"expectation": number}
        return {"value": number}
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTI_CHOICE):
        chosen = [part.strip() for part in raw.split(";") if part.strip()]
        options = [str(option) for option in question.options or []]
        unknown = [part for part in chosen if part not in options]
        if unknown or (kind == QuestionKind.SINGLE_CHOICE and len(chosen) > 1):
            raise ValueError(f"{column}: {raw[:40]!r} is not one of the options")
        return {"choices": chosen}
    if kind == QuestionKind.TEXT:
        if len(raw) > TEXT_MAX_LENGTH:
            raise ValueError(f"{column}: longer than {TEXT_MAX_LENGTH} characters")
        return {"text": raw}  # stored as text, never evaluated: "=cmd|..." stays a string
    if kind == QuestionKind.IMPORTANCE:
        points: dict[str, int] = {}
        for part in raw.split(";"):
            key, _sep, value = part.partition("=")
            number = _integer(value.strip(), 0, 100)
            if not key.strip() or number is None:
                raise ValueError(f"{column}: write allocations as key=points;key=points")
            points[key.strip()] = number
        if sum(points.values()) != 100:
            raise ValueError(f"{column}: the points add up to {sum(points.values())}, not 100")
        return {"allocation": points}
    raise ValueError(f"{column}: this kind of question cannot be imported")


def _column_questions(header: list[str], questions: dict[str, Question]) -> tuple[dict[str, Question], list[str]]:
    mapping: dict[str, Question] = {}
    unknown: list[str] = []
    for column in header:
        if column in FIXED_COLUMNS or not column:
            continue
        key = column
        question = questions.get(key)
        if question is None and column.upper().endswith(("_E", "_P")):
            question = questions.get(column[:-2])
            if question is not None and question.kind != QuestionKind.SERVQUAL_PAIR:
                question = None
        if question is None:
            unknown.append(column)
        else:
            mapping[column] = question
    return mapping, unknown


def _completed_at(raw: str) -> dt.datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    moment = parse_datetime(raw)
    if moment is None:
        day = parse_date(raw)
        if day is None:
            raise ValueError("completed_at: not a date (use YYYY-MM-DD or an ISO date-time)")
        moment = dt.datetime.combine(day, dt.time(12, 0))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment


MAX_IMPORT_ROWS = 50_000
ANALYZE_AFTER_ROWS = 10_000


def _csv_row_count(text: str) -> int:
    """Rows with any content below the header, read once before anything is imported, so a file
    too long, or one the CSV reader cannot read (e.g. a cell over its 128 KB field limit, an
    unclosed quote running to the end), is refused with its row number and nothing half-done."""
    reader = csv.reader(io.StringIO(text))
    try:
        count = sum(1 for row in reader if any(cell.strip() for cell in row))
    except csv.Error as error:
        message = (
            f"The file could not be read at row {reader.line_num}: {error}. "
            "A cell may be far too long, or a quote may not be closed."
        )
        raise ApplicationError(message, fields={"file": message}) from error
    return max(0, count - 1)


@transaction.atomic
def responses_import(
    *, campaign: Campaign, client: Client, acting_user: User, content: bytes, now: dt.datetime | None = None
) -> AnswerImportReport:
    """Import completed responses from a CSV (email, completed_at, external_id, then one column per item key).

    Good rows are imported, bad ones reported with their row number; a row whose external_id was
    imported before is skipped, so importing the same file twice adds nothing.
    """
    now = now or timezone.now()
    if campaign.status == CampaignStatus.DRAFT:
        raise ConflictError("Launch or close the campaign before importing answers into it.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ApplicationError(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.",
            fields={"file": "Not UTF-8."},
        ) from error
    if "\x00" in text:
        raise ApplicationError("The file is not a CSV text file.", fields={"file": "Binary content."})
    row_count = _csv_row_count(text)
    if row_count > MAX_IMPORT_ROWS:
        message = f"At most {MAX_IMPORT_ROWS:,} rows per file (this one has {row_count:,}); split the file."
        raise ApplicationError(message, fields={"file": message})
    reader = csv.reader(io.StringIO(text))
    header = [column.strip() for column in next(reader, [])]
    if not header:
        raise ApplicationError("The file is empty.", fields={"file": "No header row."})
    questions = {
        question.item_key: question for question in Question.objects.filter(questionnaire=campaign.questionnaire)
    }
    mapping, unknown = _column_questions(header, questions)
    if unknown:
        raise ApplicationError(
            f"Unknown columns: {', '.join(unknown[:10])}. Use email, completed_at, external_id and the item keys.",
            fields={"file": [f"Unknown column {column}" for column in unknown[:10]]},
        )
    if not mapping:
        raise ApplicationError("No answer columns: name columns by item key (e.g. SQ01_E, SQ01_P, NPS).")
    respondents = {r.email.lower(): r for r in Respondent.objects.filter(audience=campaign.audience)}
    seen_ids = set(
        Response.objects.filter(campaign=campaign).exclude(external_id="").values_list("external_id", flat=True)
    )
    report = AnswerImportReport()
    pending: list[tuple[Response, list[Answer]]] = []
    for row_number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        report.total_rows += 1
        cells = dict(zip(header, row, strict=False))
        reasons: list[str] = []
        if len(row) > len(header):
            reasons.append("more cells than columns")
        external_id = cells.get("external_id", "").strip()[:120]
        if external_id and external_id in seen_ids:
            report.already_imported += 1
            continue
        email = cells.get("email", "").strip().lower()
        respondent = None
        if email:
            try:
                validate_email(email)
            except ValidationError:
                reasons.append(f"email: {email[:60]!r} is not an email address")
            else:
                respondent = respondents.get(email)
                if respondent is None:
                    reasons.append(f"email: no {campaign.get_audience_display().lower()} respondent {email}")
        try:
            completed_at = _completed_at(cells.get("completed_at", "")) or now
        except ValueError as error:
            reasons.append(str(error))
            completed_at = now
        values: dict[int, dict[str, Any]] = {}
        for column, question in mapping.items():
            raw = cells.get(column, "")
            if not raw.strip():
                continue
            try:
                values.setdefault(question.pk, {"question": question}).update(_import_value(question, raw, column))
            except ValueError as error:
                reasons.append(str(error))
        for fields_ in values.values():
            question = fields_["question"]
            if question.kind == QuestionKind.SERVQUAL_PAIR and (
                fields_.get("value") is None or fields_.get("expectation") is None
            ):
                reasons.append(f"{question.item_key}: give both {question.item_key}_E and {question.item_key}_P")
        if not values and not reasons:
            reasons.append("no answers in this row")
        if reasons:
            report.errors.append({"row": row_number, "reason": "; ".join(reasons)})
            continue
        if external_id:
            seen_ids.add(external_id)
        response = Response(
            campaign=campaign,
            questionnaire=campaign.questionnaire,
            respondent=respondent,
            status=Response.Status.COMPLETED,
            source=Response.Source.IMPORT,
            segment=respondent.segment if respondent is not None else "",
            external_id=external_id,
            started_at=completed_at,
            completed_at=completed_at,
        )
        answers = [
            Answer(
                question=fields_["question"],
                value=fields_.get("value"),
                expectation=fields_.get("expectation"),
                choices=fields_.get("choices", []),
                text=fields_.get("text", ""),
                allocation=fields_.get("allocation", {}),
            )
            for fields_ in values.values()
        ]
        pending.append((response, answers))
    Response.objects.bulk_create([response for response, _answers in pending], batch_size=1000)
    rows: list[Answer] = []
    for response, answers in pending:
        for answer in answers:
            answer.response = response
            rows.append(answer)
    Answer.objects.bulk_create(rows, batch_size=2000)
    if len(rows) >= ANALYZE_AFTER_ROWS:
        # Fresh planner statistics: a compile right after a big import would otherwise plan its
        # joins for the tables' old (small) size until autovacuum catches up.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Response._meta.db_table}, {Answer._meta.db_table}")
    report.imported = len(pending)
    audit_record(
        actor=acting_user,
        client=client,
        action="campaign.import_responses",
        target=campaign,
        changes={"imported": report.imported, "errors": len(report.errors), "already": report.already_imported},
    )
    return report
