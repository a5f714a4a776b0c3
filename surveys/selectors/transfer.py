"""Questionnaires and campaign schedules as plain documents, for engagement templates.

Links to the journey map are kept as stage/touchpoint uids and dimension keys, so a template
applied to another client can re-link them to the copies of those stages.
"""

from __future__ import annotations

from typing import Any

from surveys.models import Campaign, Questionnaire
from surveys.selectors.questionnaires import questionnaire_pages

QUESTION_FIELDS = (
    "item_key",
    "kind",
    "text",
    "expectation_text",
    "help_text",
    "is_required",
    "scale_points",
    "scale_min_label",
    "scale_max_label",
    "options",
)
SCHEDULE_FIELDS = (
    "name",
    "audience",
    "segment",
    "send_days",
    "send_start_hour",
    "send_end_hour",
    "throttle_per_minute",
    "reminder_max_count",
    "reminder_min_days",
    "sender_name",
    "invitation_subject",
    "invitation_body",
    "reminder_subject",
    "reminder_body",
)


def questionnaire_document(*, questionnaire: Questionnaire) -> dict[str, Any]:
    return {
        "ref": str(questionnaire.family_uid),
        "name": questionnaire.name,
        "audience": questionnaire.audience,
        "intro_text": questionnaire.intro_text,
        "thank_you_text": questionnaire.thank_you_text,
        "journey_map_uid": str(questionnaire.journey_map.uid) if questionnaire.journey_map else None,
        "mirror_of": str(questionnaire.mirror_of_family_uid) if questionnaire.mirror_of_family_uid else None,
        "pages": [
            {
                "title": page.title,
                "description": page.description,
                "questions": [
                    {
                        **{name: getattr(question, name) for name in QUESTION_FIELDS},
                        "stage_uid": str(question.stage.uid) if question.stage else None,
                        "touchpoint_uid": str(question.touchpoint.uid) if question.touchpoint else None,
                        "dimension_key": question.dimension.key if question.dimension else None,
                    }
                    for question in page.questions.all()
                ],
            }
            for page in questionnaire_pages(questionnaire=questionnaire)
        ],
    }


def latest_questionnaires() -> list[Questionnaire]:
    """The newest version of every questionnaire family."""
    newest: dict[Any, Questionnaire] = {}
    for questionnaire in Questionnaire.objects.select_related("journey_map").order_by("family_uid", "-version"):
        newest.setdefault(questionnaire.family_uid, questionnaire)
    return sorted(newest.values(), key=lambda questionnaire: questionnaire.name)


def campaign_schedule_document(*, campaign: Campaign) -> dict[str, Any]:
    """A campaign's schedule and copy, without dates or people: stages keep their relative timing."""
    return {
        **{name: getattr(campaign, name) for name in SCHEDULE_FIELDS},
        "questionnaire_ref": str(campaign.questionnaire.family_uid),
        "stages": [
            {
                "name": stage.name,
                "position": stage.position,
                "timing": stage.timing,
                "anchor": stage.anchor,
                "offset_days": stage.offset_days,
                "journey_stage_uid": str(stage.journey_stage.uid) if stage.journey_stage else None,
                "touchpoint_uid": str(stage.touchpoint.uid) if stage.touchpoint else None,
            }
            for stage in campaign.stages.select_related("journey_stage", "touchpoint").order_by("position", "id")
        ],
    }


def latest_wave_campaigns() -> list[Campaign]:
    """The campaigns of the most recent wave: the schedule a new engagement would repeat."""
    latest = Campaign.objects.order_by("-wave").values_list("wave", flat=True).first()
    if latest is None:
        return []
    return list(Campaign.objects.filter(wave=latest).select_related("questionnaire").order_by("audience", "name"))
