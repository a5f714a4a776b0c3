"""Demo campaigns for a demo client: a closed wave 1, a running wave 2 and a staff mirror.

Answers are generated with a fixed seed so the story is the same every time: customers expect a
lot everywhere, responsiveness is the widest gap, and wave 2 improves reliability. The staff
think customers are happier than they are (the internal-vs-customer gap). Idempotent.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Client, User
from diagnostics.models import Dimension
from surveys.models import (
    Answer,
    Audience,
    Campaign,
    CampaignStage,
    CampaignStatus,
    Invitation,
    InvitationState,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionPage,
    Respondent,
    Response,
)

WAVE_1 = "Customer pulse — wave 1"
WAVE_2 = "Customer pulse — wave 2"
STAFF = "Staff mirror — wave 1"
SERVQUAL_ITEMS: list[tuple[str, str]] = [
    ("tangibles", "has up-to-date equipment"),
    ("tangibles", "has visually appealing stores and website"),
    ("tangibles", "has staff who look professional"),
    ("tangibles", "has clear, good-looking materials (bills, letters)"),
    ("reliability", "does what it promises by the time it promises"),
    ("reliability", "shows a sincere interest in solving my problems"),
    ("reliability", "gets the service right the first time"),
    ("reliability", "delivers on time"),
    ("reliability", "keeps error-free records"),
    ("responsiveness", "tells me exactly when things will be done"),
    ("responsiveness", "gives me prompt service"),
    ("responsiveness", "is always willing to help me"),
    ("responsiveness", "is never too busy to respond to my requests"),
    ("assurance", "has staff whose behaviour instils confidence"),
    ("assurance", "makes me feel safe in my transactions"),
    ("assurance", "has staff who are consistently courteous"),
    ("assurance", "has staff with the knowledge to answer my questions"),
    ("empathy", "gives me individual attention"),
    ("empathy", "has opening hours convenient to me"),
    ("empathy", "has staff who give me personal attention"),
    ("empathy", "has my best interests at heart"),
    ("empathy", "understands my specific needs"),
]
# Mean perception per dimension (1–7) per wave; expectations sit around 6.2 everywhere.
PERCEPTION = {
    1: {"tangibles": 5.6, "reliability": 4.3, "responsiveness": 3.4, "assurance": 5.2, "empathy": 4.6},
    2: {"tangibles": 5.7, "reliability": 5.3, "responsiveness": 3.8, "assurance": 5.3, "empathy": 4.8},
}
STAFF_PERCEPTION = {"tangibles": 5.9, "reliability": 5.6, "responsiveness": 5.1, "assurance": 5.8, "empathy": 5.5}


def _questionnaire(*, audience: str, name: str) -> Questionnaire:
    """The SERVQUAL questionnaire for this audience: the design half's if it exists, else ours."""
    existing = (
        Questionnaire.objects.filter(audience=audience, questions__item_key="SQ01").order_by("-version", "pk").first()
    )
    if existing is not None and Question.objects.filter(questionnaire=existing, item_key="SQ22").exists():
        return existing
    dimensions = {dimension.key: dimension for dimension in Dimension.objects.all()}
    questionnaire = Questionnaire.objects.create(
        name=name,
        audience=audience,
        intro_text="Twenty-two short statements, then three quick questions. About five minutes.",
        thank_you_text="Thank you! Your answers go straight to the team that can fix things.",
    )
    staff = audience == Audience.STAFF
    for page_number, dimension_keys in enumerate(
        [("tangibles", "reliability"), ("responsiveness", "assurance"), ("empathy",)]
    ):
        page = QuestionPage.objects.create(questionnaire=questionnaire, position=page_number)
        position = 0
        for number, (dimension_key, wording) in enumerate(SERVQUAL_ITEMS, start=1):
            if dimension_key not in dimension_keys:
                continue
            perception = (
                f"How do you think customers rate this: the company {wording}." if staff else f"The company {wording}."
            )
            Question.objects.create(
                questionnaire=questionnaire,
                page=page,
                position=position,
                item_key=f"SQ{number:02d}",
                kind=QuestionKind.SERVQUAL_PAIR,
                text=perception,
                expectation_text=f"An excellent company {wording}.",
                dimension=dimensions.get(dimension_key),
            )
            position += 1
    last = QuestionPage.objects.create(questionnaire=questionnaire, position=3, title="Overall")
    Question.objects.create(
        questionnaire=questionnaire,
        page=last,
        position=0,
        item_key="NPS",
        kind=QuestionKind.NPS,
        text="How likely are you to recommend us to a friend or colleague?",
    )
    Question.objects.create(
        questionnaire=questionnaire,
        page=last,
        position=1,
        item_key="CSAT",
        kind=QuestionKind.CSAT,
        text="Overall, how satisfied are you with us?",
    )
    Question.objects.create(
        questionnaire=questionnaire,
        page=last,
        position=2,
        item_key="COMMENT",
        kind=QuestionKind.TEXT,
        text="What one thing should we improve first?",
        is_required=False,
    )
    return questionnaire


def _respondents(rng: random.Random) -> tuple[list[Respondent], list[Respondent]]:
    today = timezone.localdate()
    customers = [
        Respondent(
            email=f"customer{number:03d}@example.com",
            first_name=rng.choice(["Sam", "Maria", "Jean", "Priya", "Tom", "Lucía", "Chloé", "Ahmed", "Nina"]),
            segment="Business" if number % 4 == 0 else "Consumer",
            language=rng.choices(["en", "es", "fr"], weights=[7, 2, 1])[0],
            anchor_dates={"purchase": (today - dt.timedelta(days=rng.randint(1, 60))).isoformat()},
        )
        for number in range(300)
    ]
    staff = [
        Respondent(email=f"staff{number:02d}@example.com", first_name="Colleague", audience=Audience.STAFF)
        for number in range(40)
    ]
    Respondent.objects.bulk_create(customers + staff, ignore_conflicts=True)
    emails = [person.email for person in customers + staff]
    people = {person.email: person for person in Respondent.objects.filter(email__in=emails)}
    return [people[p.email] for p in customers], [people[p.email] for p in staff]


def _score(rng: random.Random, mean: float) -> int:
    return max(1, min(7, round(rng.gauss(mean, 0.9))))


def _answers(
    rng: random.Random, response: Response, questions: list[Question], perception: dict[str, float]
) -> list[Answer]:
    answers = []
    for question in questions:
        if question.kind == QuestionKind.SERVQUAL_PAIR:
            key = question.dimension.key if question.dimension else "reliability"
            answers.append(
                Answer(
                    response=response,
                    question=question,
                    expectation=_score(rng, 6.2),
                    value=_score(rng, perception.get(key, 4.5)),
                )
            )
        elif question.kind == QuestionKind.NPS:
            overall = sum(perception.values()) / len(perception)
            answers.append(
                Answer(response=response, question=question, value=max(0, min(10, round(rng.gauss(overall + 2.2, 2)))))
            )
        elif question.kind == QuestionKind.CSAT:
            answers.append(
                Answer(response=response, question=question, value=max(1, min(5, round(rng.gauss(3.6, 0.9)))))
            )
        elif question.kind == QuestionKind.CES:
            answers.append(
                Answer(response=response, question=question, value=max(1, min(7, round(rng.gauss(4.7, 1.3)))))
            )
        elif question.kind == QuestionKind.IMPORTANCE:
            answers.append(Answer(response=response, question=question, allocation=_allocation(rng)))
        elif question.kind == QuestionKind.TEXT and rng.random() < 0.25:
            answers.append(
                Answer(
                    response=response,
                    question=question,
                    text=rng.choice(
                        ["Answer the phone faster.", "Call me back when you say you will.", "Fewer billing errors."]
                    ),
                )
            )
    return answers


# Customers say reliability matters most: the weighted gap leans on it (SERVQUAL studies agree).
IMPORTANCE = {"reliability": 32, "responsiveness": 23, "assurance": 19, "empathy": 15, "tangibles": 11}


def _allocation(rng: random.Random) -> dict[str, int]:
    """100 points across the five dimensions, around IMPORTANCE."""
    raw = {key: max(1.0, rng.gauss(points, 4)) for key, points in IMPORTANCE.items()}
    scaled = {key: round(100 * value / sum(raw.values())) for key, value in raw.items()}
    scaled["reliability"] += 100 - sum(scaled.values())
    return scaled


def _campaign(
    *,
    client: Client,
    consultant: User,
    name: str,
    wave: int,
    questionnaire: Questionnaire,
    audience: str,
    launched_at: dt.datetime,
    relative_stage: bool,
) -> Campaign:
    campaign = Campaign.objects.create(
        name=name,
        wave=wave,
        questionnaire=questionnaire,
        audience=audience,
        status=CampaignStatus.RUNNING,
        launched_at=launched_at,
        expires_at=launched_at + dt.timedelta(days=30),
        send_days=[1, 2, 3, 4, 5],
        send_start_hour=9,
        send_end_hour=18,
        throttle_per_minute=60,
        consultant_user_id=consultant.pk,
        sender_name=f"{client.name} Customer Care",
        created_by_user_id=consultant.pk,
    )
    CampaignStage.objects.create(
        campaign=campaign, position=0, name="Welcome", timing=CampaignStage.Timing.ABSOLUTE, send_at=launched_at
    )
    if relative_stage:
        CampaignStage.objects.create(
            campaign=campaign,
            position=1,
            name="3 days after purchase",
            timing=CampaignStage.Timing.RELATIVE,
            anchor="purchase",
            offset_days=3,
        )
    return campaign


def _play_out(
    *,
    rng: random.Random,
    campaign: Campaign,
    questions: list[Question],
    perception: dict[str, float],
    completion: float,
    closed: bool,
    now: dt.datetime,
) -> None:
    """Give each invitation a believable history and each completer a response with answers."""
    responses: list[tuple[Response, Invitation]] = []
    invitations = list(Invitation.objects.filter(campaign=campaign).select_related("respondent"))
    for invitation in invitations:
        if invitation.scheduled_for > now:
            continue
        sent_at = max(invitation.scheduled_for, campaign.launched_at or now)
        invitation.sent_at = invitation.sent_confirmed_at = sent_at
        invitation.state = InvitationState.SENT
        invitation.message_id = f"<demo-{campaign.pk}-{invitation.pk}@demo.cxgap>"
        roll = rng.random()
        if roll < 0.02:
            invitation.state, invitation.last_error = InvitationState.BOUNCED, "550 Mailbox unknown"
        elif roll < completion:
            invitation.state = InvitationState.COMPLETED
            invitation.opened_at = invitation.started_at = sent_at + dt.timedelta(hours=rng.randint(1, 30))
            invitation.completed_at = invitation.started_at + dt.timedelta(minutes=rng.randint(3, 15))
            respondent = invitation.respondent
            responses.append(
                (
                    Response(
                        invitation=invitation,
                        campaign=campaign,
                        questionnaire=campaign.questionnaire,
                        respondent=respondent,
                        status=Response.Status.COMPLETED,
                        segment=respondent.segment if respondent else "",
                        language=respondent.language if respondent else "en",
                        started_at=invitation.started_at,
                        completed_at=invitation.completed_at,
                    ),
                    invitation,
                )
            )
        elif roll < completion + 0.12:
            invitation.state = InvitationState.OPENED
            invitation.opened_at = sent_at + dt.timedelta(hours=rng.randint(1, 48))
        if closed and invitation.state in (InvitationState.SENT, InvitationState.OPENED):
            invitation.state = InvitationState.EXPIRED
    Invitation.objects.bulk_update(
        invitations,
        [
            "state",
            "sent_at",
            "sent_confirmed_at",
            "message_id",
            "opened_at",
            "started_at",
            "completed_at",
            "last_error",
        ],
        batch_size=500,
    )
    Response.objects.bulk_create([response for response, _invitation in responses], batch_size=500)
    answers: list[Answer] = []
    for response, _invitation in responses:
        answers.extend(_answers(rng, response, questions, perception))
    Answer.objects.bulk_create(answers, batch_size=2000)


@transaction.atomic
def seed_client(*, client: Client, users: dict[str, Any]) -> None:
    """Three campaigns with a few hundred completed responses; does nothing if they exist."""
    from surveys.services.campaigns import invitations_enrol
    from surveys.services.questionnaires import questionnaire_freeze

    if Campaign.objects.filter(name__in=[WAVE_1, WAVE_2, STAFF]).exists():
        return
    rng = random.Random(f"cxgap-demo-{client.slug}")
    consultant = users["consultant"]
    now = timezone.now()
    customers_questionnaire = _questionnaire(audience=Audience.CUSTOMERS, name="Customer pulse (SERVQUAL)")
    staff_questionnaire = _questionnaire(audience=Audience.STAFF, name="Staff mirror (SERVQUAL)")
    _respondents(rng)
    plans = [
        (
            WAVE_1,
            1,
            customers_questionnaire,
            Audience.CUSTOMERS,
            now - dt.timedelta(days=120),
            True,
            PERCEPTION[1],
            0.62,
        ),
        (
            WAVE_2,
            2,
            customers_questionnaire,
            Audience.CUSTOMERS,
            now - dt.timedelta(days=10),
            False,
            PERCEPTION[2],
            0.55,
        ),
        (STAFF, 1, staff_questionnaire, Audience.STAFF, now - dt.timedelta(days=100), True, STAFF_PERCEPTION, 0.8),
    ]
    for name, wave, questionnaire, audience, launched_at, closed, perception, completion in plans:
        questionnaire_freeze(questionnaire=questionnaire)
        campaign = _campaign(
            client=client,
            consultant=consultant,
            name=name,
            wave=wave,
            questionnaire=questionnaire,
            audience=audience,
            launched_at=launched_at,
            relative_stage=audience == Audience.CUSTOMERS,
        )
        invitations_enrol(campaign=campaign, client=client)
        questions = list(Question.objects.filter(questionnaire=questionnaire).select_related("dimension"))
        _play_out(
            rng=rng,
            campaign=campaign,
            questions=questions,
            perception=perception,
            completion=completion,
            closed=closed,
            now=now,
        )
        if closed:
            Campaign.objects.filter(pk=campaign.pk).update(
                status=CampaignStatus.CLOSED,
                closed_at=launched_at + dt.timedelta(days=30),
                expires_at=launched_at + dt.timedelta(days=30),
            )
