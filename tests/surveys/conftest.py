"""Shared fixtures for the surveys tests."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import factory
import pytest
from django.core.cache import cache
from django.utils import timezone

from diagnostics.models import Dimension, JourneyMap, Stage, Touchpoint
from surveys.models import (
    Audience,
    Campaign,
    CampaignStage,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionPage,
    Respondent,
)

# --- design half: questionnaires, journey maps to link, respondents --------------------------


class JourneyMapFactory(factory.django.DjangoModelFactory[JourneyMap]):
    class Meta:
        model = JourneyMap

    name = factory.Sequence(lambda n: f"Journey {n}")


class StageFactory(factory.django.DjangoModelFactory[Stage]):
    class Meta:
        model = Stage

    journey_map = factory.SubFactory(JourneyMapFactory)
    name = factory.Sequence(lambda n: f"Stage {n}")
    position = factory.Sequence(lambda n: n + 1)


class TouchpointFactory(factory.django.DjangoModelFactory[Touchpoint]):
    class Meta:
        model = Touchpoint

    stage = factory.SubFactory(StageFactory)
    name = factory.Sequence(lambda n: f"Touchpoint {n}")
    position = factory.Sequence(lambda n: n + 1)


class QuestionnaireFactory(factory.django.DjangoModelFactory[Questionnaire]):
    class Meta:
        model = Questionnaire

    name = factory.Sequence(lambda n: f"Questionnaire {n}")
    audience = Audience.CUSTOMERS


class QuestionPageFactory(factory.django.DjangoModelFactory[QuestionPage]):
    class Meta:
        model = QuestionPage

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Page {n}")


class QuestionFactory(factory.django.DjangoModelFactory[Question]):
    class Meta:
        model = Question

    page = factory.SubFactory(QuestionPageFactory)
    questionnaire = factory.SelfAttribute("page.questionnaire")
    position = factory.Sequence(lambda n: n + 1)
    item_key = factory.Sequence(lambda n: f"Q{n:03d}")
    kind = QuestionKind.CSAT
    text = factory.Sequence(lambda n: f"How satisfied are you with thing {n}?")


class RespondentFactory(factory.django.DjangoModelFactory[Respondent]):
    class Meta:
        model = Respondent

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Person"
    segment = "retail"


def journey_map_with_touchpoints(*, stages: int = 2, touchpoints_per_stage: int = 2) -> JourneyMap:
    """A journey map with ordered stages, each with ordered touchpoints (in the current schema)."""
    journey_map = JourneyMapFactory.create(name="Customer journey")
    for stage_number in range(1, stages + 1):
        stage = StageFactory.create(journey_map=journey_map, name=f"Stage {stage_number}", position=stage_number)
        for touchpoint_number in range(1, touchpoints_per_stage + 1):
            TouchpointFactory.create(
                stage=stage, name=f"Touchpoint {stage_number}.{touchpoint_number}", position=touchpoint_number
            )
    return journey_map


def campaign_using(questionnaire: Questionnaire, **fields: Any) -> Campaign:
    """A (draft) campaign of the campaigns half that uses this questionnaire version."""
    return Campaign.objects.create(name=fields.pop("name", "Wave 1"), questionnaire=questionnaire, **fields)


def servqual_dimension(key: str = "reliability") -> Dimension:
    return Dimension.objects.get(key=key)


@pytest.fixture
def questionnaire_with_page(in_alpha: Any) -> Callable[..., Questionnaire]:
    """`questionnaire_with_page(questions=2)` — a draft questionnaire with one page of CSAT questions."""

    def make(*, questions: int = 2, **fields: Any) -> Questionnaire:
        questionnaire = QuestionnaireFactory.create(**fields)
        page = QuestionPageFactory.create(questionnaire=questionnaire, position=1)
        for position in range(1, questions + 1):
            QuestionFactory.create(page=page, position=position, item_key=f"Q{position:02d}")
        return questionnaire

    return make


def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """A CSV file's bytes (quoting as spreadsheet programs do)."""
    import csv
    import io

    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]], *, extra_sheet: bool = False) -> bytes:
    """An XLSX workbook's bytes with the rows on its first sheet."""
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Respondents"
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        workbook.create_sheet("Notes").append(["ignored"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "respondents.csv") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def alpha_questionnaire(in_alpha: Any) -> Questionnaire:
    """A draft customer questionnaire in alpha: two pages, three CSAT questions (Q01, Q02 | Q03)."""
    questionnaire = QuestionnaireFactory.create(name="Relationship survey")
    first = QuestionPageFactory.create(questionnaire=questionnaire, position=1, title="First impressions")
    second = QuestionPageFactory.create(questionnaire=questionnaire, position=2, title="Service")
    QuestionFactory.create(page=first, position=1, item_key="Q01")
    QuestionFactory.create(page=first, position=2, item_key="Q02")
    QuestionFactory.create(page=second, position=1, item_key="Q03")
    return questionnaire


def is_sent_to_sign_in(response: Any) -> bool:
    """A redirect to the console's sign-in page, with a way back to the portal page."""
    return bool(response.status_code == 302 and response["Location"].startswith("http://localhost:8000/login/?next="))


def seed_foreign_design(world: Any) -> None:
    """For the isolation crawl (tests/security/test_isolation_crawl.py on main): design-half objects
    of the foreign client, their ids as path parameters and distinctive strings that must not leak.

    Call inside the foreign client's schema; `world` has `.client`, `.values` and `.secrets`.
    Parameters: questionnaire_id, page_id, question_id, respondent_id, import_id.
    """
    from accounts.models import User
    from surveys.services import respondents as respondent_services

    questionnaire = QuestionnaireFactory.create(name="Beta secret questionnaire")
    page = QuestionPageFactory.create(questionnaire=questionnaire, position=1, title="Beta secret page")
    question = QuestionFactory.create(page=page, position=1, item_key="BETASECRET", text="Beta secret question?")
    respondent = RespondentFactory.create(email="beta.secret.respondent@example.com")
    consultant = User.objects.filter(memberships__client=world.client, is_consultant=True).first()
    assert consultant is not None
    respondent_import = respondent_services.respondent_import_upload(
        client=world.client,
        acting_user=consultant,
        uploaded_file=upload(csv_bytes([["email"], ["beta.secret.import@example.com"]]), "beta-secret.csv"),
    )
    world.values.update(
        questionnaire_id=str(questionnaire.pk),
        page_id=str(page.pk),
        question_id=str(question.pk),
        respondent_id=str(respondent.pk),
        import_id=str(respondent_import.pk),
    )
    world.secrets.extend(
        [
            "Beta secret questionnaire",
            "Beta secret page",
            "Beta secret question?",
            "beta.secret.respondent@example.com",
            "beta.secret.import@example.com",
            "beta-secret.csv",
        ]
    )


# --- campaigns half: questionnaires, respondents and campaigns built with the ORM ----------------


def build_questionnaire(
    *, name: str = "Customer experience survey", audience: str = "customers", full: bool = True
) -> Questionnaire:
    """Two pages covering every question kind (full), or one page with one NPS question."""
    questionnaire = Questionnaire.objects.create(
        name=name, audience=audience, thank_you_text="Thank you — your answers help us improve."
    )
    first = QuestionPage.objects.create(questionnaire=questionnaire, position=0, title="Your experience")
    if not full:
        Question.objects.create(
            questionnaire=questionnaire,
            page=first,
            position=0,
            item_key="NPS",
            kind=QuestionKind.NPS,
            text="How likely are you to recommend us to a friend?",
        )
        return questionnaire
    reliability = Dimension.objects.filter(key="reliability").first()
    Question.objects.create(
        questionnaire=questionnaire,
        page=first,
        position=0,
        item_key="SQ01",
        kind=QuestionKind.SERVQUAL_PAIR,
        text="The company performs the service right the first time.",
        expectation_text="Excellent companies perform the service right the first time.",
        dimension=reliability,
    )
    Question.objects.create(
        questionnaire=questionnaire,
        page=first,
        position=1,
        item_key="L1",
        kind=QuestionKind.LIKERT,
        text="Staff were friendly.",
        scale_points=5,
        scale_min_label="Strongly disagree",
        scale_max_label="Strongly agree",
    )
    Question.objects.create(
        questionnaire=questionnaire,
        page=first,
        position=2,
        item_key="NPS",
        kind=QuestionKind.NPS,
        text="How likely are you to recommend us to a friend?",
    )
    second = QuestionPage.objects.create(questionnaire=questionnaire, position=1, title="A few more")
    Question.objects.create(
        questionnaire=questionnaire,
        page=second,
        position=0,
        item_key="CSAT",
        kind=QuestionKind.CSAT,
        text="How satisfied are you overall?",
    )
    Question.objects.create(
        questionnaire=questionnaire,
        page=second,
        position=1,
        item_key="CES",
        kind=QuestionKind.CES,
        text="How easy was it to get your issue resolved?",
    )
    Question.objects.create(
        questionnaire=questionnaire,
        page=second,
        position=2,
        item_key="CH1",
        kind=QuestionKind.SINGLE_CHOICE,
        text="How did you contact us?",
        options=["Phone", "Email", "Chat"],
    )
    Question.objects.create(
        questionnaire=questionnaire,
        page=second,
        position=3,
        item_key="CH2",
        kind=QuestionKind.MULTI_CHOICE,
        text="Which services do you use?",
        options=["Mobile", "Broadband", "TV"],
        is_required=False,
    )
    Question.objects.create(
        questionnaire=questionnaire,
        page=second,
        position=4,
        item_key="IMP",
        kind=QuestionKind.IMPORTANCE,
        text="Share 100 points by how important each is to you.",
        options=["tangibles", "reliability", "responsiveness", "assurance", "empathy"],
    )
    Question.objects.create(
        questionnaire=questionnaire,
        page=second,
        position=5,
        item_key="TXT",
        kind=QuestionKind.TEXT,
        text="Anything else you would like to tell us?",
        is_required=False,
    )
    return questionnaire


def make_respondent(email: str, **fields: Any) -> Respondent:
    fields.setdefault("first_name", email.split("@")[0].title())
    return Respondent.objects.create(email=email, **fields)


def make_campaign(
    *,
    questionnaire: Questionnaire | None = None,
    stages: int = 1,
    status: str = "draft",
    **fields: Any,
) -> Campaign:
    """A campaign with `stages` absolute stages due now, sending every day and hour, 7 days to run."""
    questionnaire = questionnaire or build_questionnaire(full=False)
    fields.setdefault("name", "Wave 1 customers")
    fields.setdefault("expires_at", timezone.now() + dt.timedelta(days=7))
    fields.setdefault("send_start_hour", 0)
    fields.setdefault("send_end_hour", 24)
    fields.setdefault("throttle_per_minute", 1000)
    campaign = Campaign.objects.create(questionnaire=questionnaire, status=status, **fields)
    for position in range(stages):
        CampaignStage.objects.create(
            campaign=campaign,
            position=position,
            name=f"Stage {position + 1}",
            timing=CampaignStage.Timing.ABSOLUTE,
            send_at=timezone.now() - dt.timedelta(minutes=1),
        )
    return campaign


@pytest.fixture(autouse=True)
def _respondent_rate_limit_reset() -> None:
    """Respondent pages are rate-limited per address; tests all come from 127.0.0.1."""
    redis = cache.client.get_client()  # type: ignore[attr-defined]
    keys = list(redis.scan_iter("*respondent-rate*"))
    if keys:
        redis.delete(*keys)


def launched_invitation(
    client: Any, consultant: Any, *, questionnaire: Questionnaire | None = None, **respondent: Any
) -> Any:
    """A launched one-stage campaign with one respondent; returns (invitation, raw token)."""
    from surveys.links import invitation_token
    from surveys.models import Invitation
    from surveys.services.campaigns import campaign_launch

    respondent.setdefault("email", "ann@example.com")
    person = make_respondent(respondent.pop("email"), **respondent)
    campaign = make_campaign(questionnaire=questionnaire or build_questionnaire())
    campaign_launch(campaign=campaign, client=client, acting_user=consultant)
    invitation = Invitation.objects.get(campaign=campaign, respondent=person)
    return invitation, invitation_token(client=client, invitation=invitation)


def full_page_answers(questionnaire: Questionnaire, page_position: int) -> dict[str, Any]:
    """Valid answers for every question of one page of `build_questionnaire()`."""
    data: dict[str, Any] = {"page": str(page_position)}
    for question in Question.objects.filter(questionnaire=questionnaire, page__position=page_position):
        field = f"q{question.pk}"
        if question.kind == QuestionKind.SERVQUAL_PAIR:
            data[field], data[f"{field}e"] = "4", "6"
        elif question.kind == QuestionKind.NPS:
            data[field] = "9"
        elif question.kind in (QuestionKind.LIKERT, QuestionKind.CSAT, QuestionKind.CES):
            data[field] = "4"
        elif question.kind == QuestionKind.SINGLE_CHOICE:
            data[field] = question.options[0]
        elif question.kind == QuestionKind.MULTI_CHOICE:
            data[field] = question.options[:2]
        elif question.kind == QuestionKind.TEXT:
            data[field] = "Quick and friendly."
        elif question.kind == QuestionKind.IMPORTANCE:
            for key, points in zip(question.options, (10, 40, 30, 10, 10), strict=True):
                data[f"{field}.{key}"] = str(points)
    return data


# --- a local SMTP server and a real worker for the sending tests ---------------------------------

import asyncio  # noqa: E402
import email  # noqa: E402
import email.policy  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import psutil  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402


class SmtpSink:
    """Keeps every message whose end of DATA arrived, like an MTA that queues it before replying.

    `delay` slows the reply to RCPT and the reply to the end of DATA, so a worker killed at a random
    moment is as likely to die before its commit (mid-envelope) as after it (waiting for the 250).
    A message cut off before its end of DATA is discarded, as every SMTP server does.
    """

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(message["Message-ID"]) for message in self.messages]

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_sink() -> Iterator[tuple[SmtpSink, int]]:
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def kill_process_tree(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL a worker and its pool children at once: nothing gets to clean up."""
    parent = psutil.Process(process.pid)
    for child in parent.children(recursive=True):
        child.kill()
    parent.kill()
    process.wait(timeout=10)


def send_dispatch(*, schema_name: str, queue: str) -> None:
    """One dispatcher tick for a client, on a given worker queue."""
    from surveys.tasks import campaign_dispatch_task

    campaign_dispatch_task.apply_async(
        kwargs={"schema_name": schema_name}, queue=queue, headers={"_schema_name": schema_name}
    )


@pytest.fixture
def sending_queue(settings: Any) -> str:
    """A queue of its own for this test's sending worker: every dispatch (launch too) goes there,
    never to the session's shared test worker, which has no SMTP server."""
    queue = unique_queue("send")
    settings.SURVEYS_DISPATCH_QUEUE = queue
    return queue


def unique_queue(name: str) -> str:
    return f"cxgap-test-{name}-{uuid.uuid4().hex[:8]}"
