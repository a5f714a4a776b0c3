"""Demo content for `manage.py seed_demo`: a journey map, two workshops and a remediation plan per client.

Acme Telecom maps its home-broadband journey (installation visits and the first bill hurt most);
Globex Bank maps current-account opening (identity checks and app activation). Idempotent: nothing
happens when the client already has its demo map. Written through the services, so the audit log
and the initiatives' history read like a real engagement.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import Client, User
from diagnostics import services
from diagnostics.kpi_metrics import kpi_metric_key
from diagnostics.models import Dimension, JourneyMap, Stage, Touchpoint

SERVQUAL = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
# Touchpoint: (name, channel, team, moment of truth, as-is expected, as-is actual, as-is note,
#              to-be expected, to-be actual)
TouchpointSpec = tuple[str, str, str, bool, int, int, str, int, int]

ACME: dict[str, Any] = {
    "map": ("Home broadband — new customers", "Residential broadband"),
    "description": "From comparing offers to the first renewal, for households switching to Acme fibre.",
    "personas": [
        (
            "Switching Sam",
            "Young family leaving a competitor after repeated outages.",
            "A painless switch; no gap in service.",
        ),
        (
            "Remote-working Rita",
            "Works from home three days a week; video calls all day.",
            "Stable upload speed; faults fixed the same day.",
        ),
        (
            "Price-savvy Pat",
            "Compares offers every year and calls to haggle.",
            "A fair price without having to threaten to leave.",
        ),
    ],
    "custom_dimension": (
        "value_for_money",
        "Value for money",
        "Whether what customers pay feels fair for what they get.",
    ),
    "stages": {
        "Discover": [
            (
                "Comparison site listing",
                "web",
                "Marketing",
                False,
                1,
                0,
                "Our offer is hard to compare: speeds shown as ranges.",
                1,
                1,
            ),
            ("TV and radio advert", "other", "Brand", False, 1, 1, "", 1, 1),
        ],
        "Try": [
            ("Availability and speed checker", "web", "Digital", True, 1, -1, "“Up to” speeds nobody trusts.", 1, 2),
            ("Sales chat", "chat", "Sales", False, 0, 1, "Friendly and quick.", 1, 1),
        ],
        "Buy": [
            ("Online checkout", "web", "Digital", False, 0, -1, "Asked for the same address three times.", 0, 1),
            ("Contract and welcome email", "email", "Billing", False, 0, 0, "", 0, 1),
        ],
        "Onboard": [
            ("Router delivery", "mail", "Logistics", False, 1, 1, "", 1, 1),
            (
                "Engineer installation visit",
                "in_person",
                "Field operations",
                True,
                1,
                -2,
                "Missed windows, no call-ahead.",
                1,
                2,
            ),
            ("First bill", "email", "Billing", True, 0, -2, "Pro-rata charges nobody explains.", 0, 1),
        ],
        "Use": [
            ("Speed and reliability", "product", "Network", True, 1, 0, "Evening slowdowns in older estates.", 1, 1),
            (
                "Fault reporting call",
                "phone",
                "Customer care",
                True,
                0,
                -2,
                "45-minute waits and a rigid script.",
                0,
                1,
            ),
            ("App self-service", "product", "Digital", False, 1, 1, "", 1, 2),
        ],
        "Renew": [
            (
                "End-of-contract price letter",
                "mail",
                "Retention",
                True,
                0,
                -2,
                "A price jump with no loyalty offer.",
                0,
                1,
            ),
            (
                "Retention call",
                "phone",
                "Retention",
                False,
                0,
                -1,
                "Only the customers who threaten to leave get a deal.",
                1,
                1,
            ),
        ],
    },
    # Baseline per stage in the first workshop (tangibles, reliability, responsiveness, assurance, empathy).
    "baseline": {
        "Discover": (5, 5, 4, 4, 4),
        "Try": (5, 3, 5, 3, 4),
        "Buy": (4, 4, 4, 5, 4),
        "Onboard": (4, 2, 3, 4, 2),
        "Use": (5, 4, 2, 4, 3),
        "Renew": (4, 4, 3, 3, 2),
    },
    "improved": {("Onboard", "reliability"): 4, ("Try", "reliability"): 5, ("Buy", "tangibles"): 6},
    "rationales": {
        ("Onboard", "reliability"): "One installation in five misses its window; complaints peak in week one.",
        ("Onboard", "empathy"): "The first bill surprises people and nobody calls to explain it.",
        ("Use", "responsiveness"): "Fault calls wait 45 minutes on average; the app cannot log a fault.",
        ("Renew", "empathy"): "Loyal customers get the worst price; only threats earn a discount.",
        ("Try", "assurance"): "Sales promise speeds the network cannot deliver in older estates.",
    },
    "initiatives": [
        {
            "title": "Two-hour installation windows with a call-ahead",
            "description": "Engineers call 30 minutes before arriving; customers pick a two-hour window.",
            "link": ("Onboard", "Engineer installation visit", "reliability"),
            "pillar": "operational",
            "owner": "leader",
            "status": "in_progress",
            "due_in": 30,
            "impact": 5,
            "effort": 3,
            "kpi": ("Missed installation appointments", "%", "14", "4", "9"),
            "metric": ("gap", "touchpoint"),
            "comments": [
                ("leader", "Field ops agreed to pilot in the North region first."),
                ("consultant", "Good — let us compare the pilot region's CSAT at the next wave."),
            ],
        },
        {
            "title": "Plain-language first bill",
            "description": "Explain pro-rata charges on the first bill and in a welcome video.",
            "link": ("Onboard", "First bill", "empathy"),
            "pillar": "user",
            "owner": "leader",
            "status": "planned",
            "due_in": 45,
            "impact": 4,
            "effort": 1,
            "kpi": ("Billing calls in the first 60 days", "per 100 customers", "22", "10", None),
            "metric": ("csat", "stage"),
        },
        {
            "title": "Call back instead of a queue for faults",
            "description": "Offer a guaranteed callback within 30 minutes when the wait exceeds five.",
            "link": ("Use", "Fault reporting call", "responsiveness"),
            "pillar": "operational",
            "owner": "viewer",
            "status": "proposed",
            "due_in": -10,
            "impact": 5,
            "effort": 2,
            "kpi": ("Average wait for fault calls", "minutes", "45", "5", None),
            "metric": ("gap", "stage"),
            "comments": [("leader", "Customer care needs budget for the callback tool; can we discuss on Friday?")],
        },
        {
            "title": "Loyalty offer before the price letter",
            "description": "Send a personal offer two months before the contract ends.",
            "link": ("Renew", "End-of-contract price letter", "empathy"),
            "pillar": "financial",
            "owner": "consultant",
            "status": "proposed",
            "due_in": 75,
            "impact": 4,
            "effort": 2,
            "kpi": ("NPS at renewal", "points", "-18", "10", None),
            "metric": ("nps", "stage"),
        },
        {
            "title": "Honest speed checker",
            "description": "Show the speed measured at neighbouring addresses instead of “up to”.",
            "link": ("Try", "Availability and speed checker", "assurance"),
            "pillar": "user",
            "owner": "leader",
            "status": "done",
            "due_in": -20,
            "impact": 3,
            "effort": 2,
            "kpi": ("Speed complaints in the first month", "complaints", "120", "40", "55"),
            "metric": ("gap", "dimension"),
        },
        {
            "title": "Single address capture in checkout",
            "link": ("Buy", "Online checkout", "tangibles"),
            "pillar": "implementation",
            "owner": "consultant",
            "status": "done",
            "due_in": -40,
            "impact": 2,
            "effort": 1,
        },
        {
            "title": "Self-install kit as an option",
            "link": ("Onboard", "Engineer installation visit", "responsiveness"),
            "pillar": "implementation",
            "owner": "leader",
            "status": "dropped",
            "status_note": "The network team cannot support self-install before 2027.",
            "due_in": 60,
            "impact": 3,
            "effort": 4,
        },
        {
            "title": "Give the retention team room to decide",
            "description": "Let agents offer up to two months free without a supervisor.",
            "link": ("Renew", "Retention call", "assurance"),
            "pillar": "financial",
            "owner": "leader",
            "status": "planned",
            "due_in": 90,
            "impact": 3,
            "effort": 3,
        },
    ],
}

GLOBEX: dict[str, Any] = {
    "map": ("Current account opening", "Retail banking"),
    "description": "How new retail customers choose, open and start using a Globex current account.",
    "personas": [
        (
            "First-job Femi",
            "Opening a first salary account; mobile only.",
            "Open an account in one sitting on the phone.",
        ),
        (
            "Switching Sofia",
            "Moving her household banking from another bank.",
            "All direct debits moved without a missed payment.",
        ),
    ],
    "custom_dimension": (
        "implementation_success",
        "Implementation success",
        "Whether customers get set up without effort.",
    ),
    "stages": {
        "Discover": [
            ("Price comparison", "web", "Marketing", False, 0, 0, "", 0, 1),
            ("Branch window display", "in_person", "Branches", False, 0, 0, "", 0, 0),
        ],
        "Try": [
            ("Account comparison page", "web", "Digital", False, 1, 0, "Fees hidden in footnotes.", 1, 1),
            ("Advisor chat", "chat", "Contact centre", False, 0, 1, "", 1, 1),
        ],
        "Buy": [
            ("Online application", "web", "Digital", False, 0, -1, "Twelve screens on a phone.", 0, 1),
            ("Identity check", "product", "Compliance", True, 0, -2, "Photo ID rejected without a reason.", 0, 1),
        ],
        "Onboard": [
            ("Debit card delivery", "mail", "Cards", False, 1, 0, "", 1, 1),
            ("App activation", "product", "Digital", True, 1, -1, "Activation code arrives by post.", 1, 2),
            ("Switching service", "product", "Payments", True, 0, -1, "One direct debit bounced.", 0, 1),
        ],
        "Use": [
            ("Mobile payments", "product", "Digital", False, 1, 1, "", 1, 2),
            ("Fraud alert call", "phone", "Fraud", True, 0, -1, "Card blocked abroad; hard to reach anyone.", 1, 1),
        ],
        "Renew": [
            ("Annual fee review", "email", "Product", False, 0, -1, "", 0, 1),
        ],
    },
    "baseline": {
        "Discover": (5, 5, 4, 5, 4),
        "Try": (5, 4, 5, 5, 4),
        "Buy": (4, 3, 3, 4, 3),
        "Onboard": (5, 3, 4, 4, 3),
        "Use": (6, 5, 3, 5, 4),
        "Renew": (5, 5, 4, 4, 3),
    },
    "improved": {("Buy", "reliability"): 5, ("Onboard", "responsiveness"): 5},
    "rationales": {
        ("Buy", "reliability"): "A third of applications stall at the identity check.",
        ("Buy", "responsiveness"): "Rejected applicants wait two days for a reason.",
        ("Use", "responsiveness"): "The fraud line closes at 8 pm; cards blocked abroad stay blocked.",
    },
    "initiatives": [
        {
            "title": "Explain identity-check rejections in the app",
            "link": ("Buy", "Identity check", "assurance"),
            "pillar": "user",
            "owner": "leader",
            "status": "in_progress",
            "due_in": 20,
            "impact": 5,
            "effort": 2,
            "kpi": ("Applications abandoned at the ID check", "%", "31", "10", "22"),
            "metric": ("gap", "touchpoint"),
            "comments": [("leader", "Compliance signed off the new wording.")],
        },
        {
            "title": "Activate the app with a text message",
            "link": ("Onboard", "App activation", "responsiveness"),
            "pillar": "implementation",
            "owner": "leader",
            "status": "planned",
            "due_in": 50,
            "impact": 4,
            "effort": 3,
            "metric": ("nps", "stage"),
        },
        {
            "title": "24/7 fraud line with a callback",
            "link": ("Use", "Fraud alert call", "responsiveness"),
            "pillar": "operational",
            "owner": "consultant",
            "status": "proposed",
            "due_in": -5,
            "impact": 5,
            "effort": 4,
        },
        {
            "title": "Shorter application on mobile",
            "link": ("Buy", "Online application", "tangibles"),
            "pillar": "user",
            "owner": "viewer",
            "status": "done",
            "due_in": -30,
            "impact": 3,
            "effort": 2,
        },
        {
            "title": "Fee summary before the annual review",
            "link": ("Renew", "Annual fee review", "empathy"),
            "pillar": "financial",
            "owner": "leader",
            "status": "proposed",
            "due_in": 100,
            "impact": 2,
            "effort": 1,
        },
        {
            "title": "Switching guarantee for direct debits",
            "link": ("Onboard", "Switching service", "reliability"),
            "pillar": "financial",
            "owner": "consultant",
            "status": "dropped",
            "status_note": "The national switching service already guarantees this; communicate it instead.",
            "due_in": 30,
            "impact": 3,
            "effort": 3,
        },
    ],
}

DEMO_CONTENT = {"acme": ACME, "globex": GLOBEX}
STATUS_PATH = {
    "proposed": [],
    "planned": ["planned"],
    "in_progress": ["planned", "in_progress"],
    "done": ["planned", "in_progress", "done"],
    "dropped": ["dropped"],
}


def seed_client(*, client: Client, users: dict[str, User]) -> None:
    """Add the demo journey map, workshops and plan to a demo client (inside its schema)."""
    content = DEMO_CONTENT.get(client.slug)
    if content is None:
        return
    name, segment = content["map"]
    if JourneyMap.objects.filter(name=name).exists():
        return
    consultant = users["consultant"]
    journey_map = services.journey_map_create(
        client=client, actor=consultant, name=name, segment=segment, description=content["description"]
    )
    for persona_name, description, goals in content["personas"]:
        services.persona_create(
            client=client,
            actor=consultant,
            journey_map=journey_map,
            name=persona_name,
            description=description,
            goals=goals,
        )
    stages = {stage.name: stage for stage in Stage.objects.filter(journey_map=journey_map)}
    touchpoints: dict[str, Touchpoint] = {}
    for stage_name, specs in content["stages"].items():
        for spec in specs:
            touchpoints[spec[0]] = _touchpoint(client=client, actor=consultant, stage=stages[stage_name], spec=spec)

    key, dimension_name, definition = content["custom_dimension"]
    custom = Dimension.objects.filter(key=key).first() or services.dimension_create(
        client=client, actor=consultant, name=dimension_name, key=key, definition=definition
    )
    _workshops(
        client=client, consultant=consultant, journey_map=journey_map, stages=stages, custom=custom, content=content
    )
    for spec in content["initiatives"]:
        _initiative(client=client, users=users, stages=stages, touchpoints=touchpoints, spec=spec)


def _touchpoint(*, client: Client, actor: User, stage: Stage, spec: TouchpointSpec) -> Touchpoint:
    name, channel, team, is_mot, as_is_expected, as_is_actual, note, to_be_expected, to_be_actual = spec
    return services.touchpoint_create(
        client=client,
        actor=actor,
        stage=stage,
        name=name,
        channel=channel,
        owning_team=team,
        is_moment_of_truth=is_mot,
        as_is_expected_emotion=as_is_expected,
        as_is_actual_emotion=as_is_actual,
        as_is_emotion_note=note,
        to_be_expected_emotion=to_be_expected,
        to_be_actual_emotion=to_be_actual,
    )


def _workshops(
    *,
    client: Client,
    consultant: User,
    journey_map: JourneyMap,
    stages: dict[str, Stage],
    custom: Dimension,
    content: dict[str, Any],
) -> None:
    """A baseline workshop three months ago and a review last week in which some cells improved."""
    today = timezone.localdate()
    dimensions = {dimension.key: dimension for dimension in Dimension.objects.all()}
    rounds: tuple[tuple[str, datetime.date, dict[tuple[str, str], int]], ...] = (
        ("Baseline/target workshop", today - datetime.timedelta(days=91), {}),
        ("Quarterly review", today - datetime.timedelta(days=7), content["improved"]),
    )
    for title, held_on, improved in rounds:
        assessment = services.assessment_create(
            client=client,
            actor=consultant,
            journey_map=journey_map,
            name=title,
            held_on=held_on,
            notes="Scored with the client's leadership team and two front-line supervisors.",
        )
        for perspective in ("baseline", "target", "internal"):
            cells = []
            for stage_name, values in content["baseline"].items():
                for key, baseline in zip(SERVQUAL, values, strict=True):
                    value = improved.get((stage_name, key), baseline)
                    if perspective == "target":
                        value = 7 if baseline <= 3 else 6
                    elif perspective == "internal":
                        # Staff see the service more kindly than it is, most of all where it hurts.
                        value = min(7, value + (2 if value <= 2 else 1 if value <= 4 else 0))
                    rationale = ""
                    if perspective == "baseline":
                        rationale = content["rationales"].get((stage_name, key), "")
                    cells.append(
                        services.ScoreCellInput(
                            stage=stages[stage_name], dimension=dimensions[key], value=value, rationale=rationale
                        )
                    )
                cells.append(
                    services.ScoreCellInput(
                        stage=stages[stage_name],
                        dimension=custom,
                        value={"baseline": 4, "target": 6, "internal": 5}[perspective],
                    )
                )
            services.score_grid_save(
                client=client, actor=consultant, assessment=assessment, perspective=perspective, cells=cells
            )


def _initiative(
    *,
    client: Client,
    users: dict[str, User],
    stages: dict[str, Stage],
    touchpoints: dict[str, Touchpoint],
    spec: dict[str, Any],
) -> None:
    consultant = users["consultant"]
    stage_name, touchpoint_name, dimension_key = spec["link"]
    stage, touchpoint = stages[stage_name], touchpoints[touchpoint_name]
    fields: dict[str, Any] = {}
    if "kpi" in spec:
        kpi_name, unit, baseline, target, _current = spec["kpi"]
        fields.update(kpi_name=kpi_name, kpi_unit=unit, kpi_baseline=Decimal(baseline), kpi_target=Decimal(target))
    if "metric" in spec:
        measure, scope = spec["metric"]
        reference = {"touchpoint": str(touchpoint.uid), "stage": str(stage.uid), "dimension": dimension_key}[scope]
        fields["kpi_metric"] = kpi_metric_key(measure, scope, reference)
    owner = users[spec["owner"]]
    initiative = services.initiative_create(
        client=client,
        actor=consultant,
        title=spec["title"],
        description=spec.get("description", ""),
        pillar=spec["pillar"],
        owner_user_id=owner.pk,
        due_on=timezone.localdate() + datetime.timedelta(days=spec["due_in"]),
        impact=spec["impact"],
        effort=spec["effort"],
        gap_links=[
            services.GapLinkInput(
                stage=stage, touchpoint=touchpoint, dimension=Dimension.objects.get(key=dimension_key)
            )
        ],
        **fields,
    )
    # Owners who lead at the client move their own initiatives; the consultant moves the rest.
    mover = owner if spec["owner"] == "leader" else consultant
    for step in STATUS_PATH[spec["status"]]:
        note = spec.get("status_note", "") if step == "dropped" else ""
        initiative = services.initiative_status_change(
            client=client, actor=mover, initiative=initiative, status=step, note=note
        )
    if "kpi" in spec and spec["kpi"][4] is not None:
        services.initiative_kpi_update(client=client, actor=mover, initiative=initiative, value=Decimal(spec["kpi"][4]))
    for author, body in spec.get("comments", []):
        services.initiative_comment_add(client=client, actor=users[author], initiative=initiative, body=body)
