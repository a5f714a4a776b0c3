"""Create questionnaires and draft campaigns from engagement-template documents
(see surveys.selectors.transfer), re-linked to this client's copies of the journey stages."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError

from accounts.models import Client, User
from accounts.services import audit_record
from cxgap_project.errors import ApplicationError
from diagnostics.models import Dimension, JourneyMap, Stage, Touchpoint
from surveys.models import Campaign, CampaignStage, Question, Questionnaire, QuestionPage
from surveys.selectors.transfer import QUESTION_FIELDS, SCHEDULE_FIELDS


def _checked(instance: Any, *, where: str) -> Any:
    try:
        instance.full_clean()
    except ValidationError as error:
        messages = "; ".join(f"{name}: {' '.join(texts)}" for name, texts in error.message_dict.items())
        raise ApplicationError(f"The template cannot be applied: {where} is not valid ({messages}).") from error
    instance.save()
    return instance


def questionnaire_from_document(
    *,
    client: Client,
    acting_user: User,
    document: Mapping[str, Any],
    journey_maps: Mapping[str, JourneyMap],
    stages: Mapping[str, Stage],
    touchpoints: Mapping[str, Touchpoint],
    families: dict[str, uuid.UUID],
) -> Questionnaire:
    """A new draft questionnaire (version 1). `families` maps template refs to the new family uids,
    so staff mirrors and campaigns find the copies."""
    family = families.setdefault(str(document["ref"]), uuid.uuid4())
    mirror_of = document.get("mirror_of")
    questionnaire = _checked(
        Questionnaire(
            family_uid=family,
            name=document["name"],
            audience=document["audience"],
            intro_text=document.get("intro_text") or "",
            thank_you_text=document.get("thank_you_text") or "",
            journey_map=journey_maps.get(str(document.get("journey_map_uid"))),
            mirror_of_family_uid=families.setdefault(str(mirror_of), uuid.uuid4()) if mirror_of else None,
            created_by_user_id=acting_user.pk,
        ),
        where=f"questionnaire “{document['name']}”",
    )
    dimensions = {dimension.key: dimension for dimension in Dimension.objects.all()}
    for page_position, page_document in enumerate(document.get("pages") or [], start=1):
        page = QuestionPage.objects.create(
            questionnaire=questionnaire,
            position=page_position,
            title=page_document.get("title") or "",
            description=page_document.get("description") or "",
        )
        for position, entry in enumerate(page_document.get("questions") or []):
            _checked(
                Question(
                    questionnaire=questionnaire,
                    page=page,
                    position=position,
                    **{name: entry[name] for name in QUESTION_FIELDS if name in entry and entry[name] is not None},
                    stage=stages.get(str(entry.get("stage_uid"))),
                    touchpoint=touchpoints.get(str(entry.get("touchpoint_uid"))),
                    dimension=dimensions.get(entry.get("dimension_key") or ""),
                ),
                where=f"question {entry.get('item_key', position)} of “{questionnaire.name}”",
            )
    audit_record(actor=acting_user, client=client, action="questionnaire.create_from_template", target=questionnaire)
    return questionnaire


def campaign_from_schedule(
    *,
    client: Client,
    acting_user: User,
    document: Mapping[str, Any],
    questionnaires: Mapping[uuid.UUID, Questionnaire],
    families: Mapping[str, uuid.UUID],
    stages: Mapping[str, Stage],
    touchpoints: Mapping[str, Touchpoint],
) -> Campaign:
    """A draft campaign repeating a template's schedule; fixed send times are left for the consultant."""
    questionnaire = questionnaires.get(families.get(str(document["questionnaire_ref"])))  # type: ignore[arg-type]
    if questionnaire is None:
        raise ApplicationError(f"The template's campaign “{document.get('name')}” has no questionnaire.")
    campaign = _checked(
        Campaign(
            questionnaire=questionnaire,
            **{name: document[name] for name in SCHEDULE_FIELDS if name in document},
            consultant_user_id=acting_user.pk,
            created_by_user_id=acting_user.pk,
        ),
        where=f"campaign “{document.get('name')}”",
    )
    for entry in document.get("stages") or []:
        _checked(
            CampaignStage(
                campaign=campaign,
                position=entry.get("position") or 0,
                name=entry["name"],
                timing=entry.get("timing") or CampaignStage.Timing.ABSOLUTE,
                anchor=entry.get("anchor") or "",
                offset_days=entry.get("offset_days") or 0,
                journey_stage=stages.get(str(entry.get("journey_stage_uid"))),
                touchpoint=touchpoints.get(str(entry.get("touchpoint_uid"))),
            ),
            where=f"stage “{entry.get('name')}” of campaign “{campaign.name}”",
        )
    audit_record(actor=acting_user, client=client, action="campaign.create_from_template", target=campaign)
    return campaign
