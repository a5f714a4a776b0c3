"""Writes to the remediation plan: initiatives, their gap links, status moves, KPI values and comments.

Every change is recorded twice: as an InitiativeEvent (the initiative's own history, shown to the
client) and in the client's audit log. Consultants change everything; a client leader may comment
on any initiative and move the status and KPI current value of the initiatives they own.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Client, Role, User
from accounts.selectors import client_member_users, user_names
from accounts.services import audit_record
from cxgap_project.errors import ApplicationError, PermissionDeniedError
from cxgap_project.tenancy import current_schema_name
from diagnostics.kpi_metrics import KpiMetricKeyError, parse_kpi_metric
from diagnostics.models import (
    STATUS_TRANSITIONS,
    Dimension,
    Initiative,
    InitiativeComment,
    InitiativeEvent,
    InitiativeGapLink,
    InitiativeStatus,
    JourneyMap,
    Stage,
    Touchpoint,
)
from diagnostics.services.access import require_consultant, role_at
from diagnostics.services.changes import apply_changes, jsonable

INITIATIVE_FIELDS = (
    "title",
    "description",
    "journey_map",
    "pillar",
    "owner_user_id",
    "due_on",
    "effort",
    "impact",
    "kpi_name",
    "kpi_unit",
    "kpi_baseline",
    "kpi_target",
    "kpi_metric",
)


@dataclass(frozen=True)
class GapLinkInput:
    """A gap an initiative addresses: any of a stage, a touchpoint (of that stage) and a dimension."""

    stage: Stage | None = None
    touchpoint: Touchpoint | None = None
    dimension: Dimension | None = None

    @property
    def label(self) -> str:
        parts = []
        if self.stage is not None:
            parts.append(f"stage {self.stage.name}")
        if self.touchpoint is not None:
            parts.append(f"touchpoint {self.touchpoint.name}")
        if self.dimension is not None:
            parts.append(f"dimension {self.dimension.name}")
        return " · ".join(parts)


def actor_label(actor: User | None) -> str:
    return actor.display_name if actor is not None else "system"


def _event(*, initiative: Initiative, kind: str, actor: User | None, changes: dict[str, Any]) -> InitiativeEvent:
    return InitiativeEvent.objects.create(
        initiative=initiative,
        kind=kind,
        actor_user_id=actor.pk if actor is not None else None,
        actor_label=actor_label(actor),
        changes=changes,
    )


def _require_progress_rights(*, actor: User, client: Client, initiative: Initiative) -> None:
    """Consultants, or the client leader who owns the initiative."""
    role = role_at(actor=actor, client=client)
    if role == Role.CONSULTANT:
        return
    if role == Role.LEADER and initiative.owner_user_id == actor.pk:
        return
    if role == Role.LEADER:
        raise PermissionDeniedError("Client leaders can update only the initiatives they own.")
    raise PermissionDeniedError("Your role allows reading the plan only.")


def _owner_problem(*, client: Client, owner_user_id: int | None) -> str | None:
    if owner_user_id is None:
        return None
    if not client_member_users(client=client).filter(pk=owner_user_id).exists():
        return "Choose a member of this client as owner."
    return None


def _kpi_metric_problem(*, key: str, journey_map: JourneyMap | None) -> str | None:
    """Why a KPI metric key cannot be used here, or None when it refers to something that exists."""
    try:
        metric = parse_kpi_metric(key)
    except KpiMetricKeyError as error:
        return str(error)
    if metric is None or not metric.scope:
        return None
    if metric.scope == "dimension":
        if not Dimension.objects.filter(key=metric.reference).exists():
            return "This metric names a dimension that does not exist."
        return None
    if metric.scope == "stage":
        stages = Stage.objects.filter(uid=metric.reference)
        exists = (stages.filter(journey_map=journey_map) if journey_map is not None else stages).exists()
    else:
        touchpoints = Touchpoint.objects.filter(uid=metric.reference)
        if journey_map is not None:
            touchpoints = touchpoints.filter(stage__journey_map=journey_map)
        exists = touchpoints.exists()
    if not exists:
        where = " of this initiative's journey map" if journey_map is not None else ""
        return f"This metric names a {metric.scope} that does not exist{where}."
    return None


def _resolve_links(
    *, journey_map: JourneyMap | None, gap_links: Sequence[GapLinkInput]
) -> tuple[JourneyMap | None, list[GapLinkInput], dict[str, str]]:
    """Normalised links (a touchpoint brings its stage), the map they imply, and problems by field."""
    problems: dict[str, str] = {}
    resolved: list[GapLinkInput] = []
    map_id = journey_map.pk if journey_map is not None else None
    implied_map: JourneyMap | None = journey_map
    for index, link in enumerate(gap_links):
        stage = link.stage
        if link.stage is None and link.touchpoint is None and link.dimension is None:
            problems[f"gap_links[{index}]"] = "Link a stage, a touchpoint or a dimension."
            continue
        if link.touchpoint is not None:
            if stage is not None and link.touchpoint.stage_id != stage.pk:
                problems[f"gap_links[{index}].touchpoint"] = "This touchpoint belongs to another stage."
                continue
            stage = link.touchpoint.stage
        if stage is not None:
            if map_id is None:
                map_id = stage.journey_map_id
                implied_map = stage.journey_map
            elif stage.journey_map_id != map_id:
                problems[f"gap_links[{index}].stage"] = "This stage belongs to another journey map."
                continue
        resolved.append(GapLinkInput(stage=stage, touchpoint=link.touchpoint, dimension=link.dimension))
    return implied_map, resolved, problems


def _replace_links(*, initiative: Initiative, links: Sequence[GapLinkInput]) -> None:
    InitiativeGapLink.objects.filter(initiative=initiative).delete()
    InitiativeGapLink.objects.bulk_create(
        InitiativeGapLink(initiative=initiative, stage=link.stage, touchpoint=link.touchpoint, dimension=link.dimension)
        for link in links
    )


def _validate(*, client: Client, initiative: Initiative, problems: dict[str, str]) -> None:
    owner_problem = _owner_problem(client=client, owner_user_id=initiative.owner_user_id)
    if owner_problem:
        problems["owner_user_id"] = owner_problem
    metric_problem = _kpi_metric_problem(key=initiative.kpi_metric, journey_map=initiative.journey_map)
    if metric_problem:
        problems["kpi_metric"] = metric_problem
    if problems:
        raise ApplicationError("The initiative could not be saved.", fields=problems)
    initiative.full_clean()


@transaction.atomic
def initiative_create(
    *,
    client: Client,
    actor: User,
    title: str,
    journey_map: JourneyMap | None = None,
    gap_links: Sequence[GapLinkInput] = (),
    **fields: Any,
) -> Initiative:
    """A new, proposed initiative. Links to stages imply the journey map when none is given."""
    require_consultant(actor=actor, client=client)
    implied_map, links, problems = _resolve_links(journey_map=journey_map, gap_links=gap_links)
    initiative = Initiative(title=title.strip(), journey_map=implied_map, created_by_user_id=actor.pk)
    apply_changes(initiative, fields, allowed=set(INITIATIVE_FIELDS) - {"title", "journey_map"})
    _validate(client=client, initiative=initiative, problems=problems)
    initiative.save()
    _replace_links(initiative=initiative, links=links)
    initial = {
        name: [None, jsonable(getattr(initiative, name))]
        for name in ("title", "status", "due_on", "effort", "impact", "kpi_metric")
        if getattr(initiative, name) not in (None, "")
    }
    if initiative.owner_user_id:
        initial["owner"] = [None, user_names(user_ids=[initiative.owner_user_id]).get(initiative.owner_user_id)]
    if links:
        initial["gap_links"] = [None, [link.label for link in links]]
    _event(initiative=initiative, kind=InitiativeEvent.Kind.CREATED, actor=actor, changes=initial)
    audit_record(actor=actor, client=client, action="initiative.create", target=initiative, changes=initial)
    return initiative


def _link_labels(initiative: Initiative) -> list[str]:
    return [
        GapLinkInput(stage=link.stage, touchpoint=link.touchpoint, dimension=link.dimension).label
        for link in initiative.gap_links.select_related("stage", "touchpoint", "dimension").order_by("id")
    ]


@transaction.atomic
def initiative_update(
    *,
    client: Client,
    actor: User,
    initiative: Initiative,
    gap_links: Sequence[GapLinkInput] | None = None,
    **fields: Any,
) -> Initiative:
    """Edit an initiative (consultants). Status and KPI current value have their own services."""
    require_consultant(actor=actor, client=client)
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    old_owner = initiative.owner_user_id
    changes = apply_changes(initiative, fields, allowed=INITIATIVE_FIELDS)
    problems: dict[str, str] = {}
    links: list[GapLinkInput] | None = None
    if gap_links is not None:
        implied_map, links, problems = _resolve_links(journey_map=initiative.journey_map, gap_links=gap_links)
        if initiative.journey_map is None and implied_map is not None:
            initiative.journey_map = implied_map
            changes["journey_map"] = [None, str(implied_map)]
    elif "journey_map" in changes and initiative.journey_map is not None:
        _, _, problems = _resolve_links(
            journey_map=initiative.journey_map,
            gap_links=[
                GapLinkInput(stage=link.stage, touchpoint=link.touchpoint, dimension=link.dimension)
                for link in initiative.gap_links.select_related("stage", "touchpoint", "dimension")
            ],
        )
        problems = {"journey_map": "Some linked gaps belong to another journey map."} if problems else {}
    _validate(client=client, initiative=initiative, problems=problems)
    if "owner_user_id" in changes:
        names = user_names(user_ids=[old_owner, initiative.owner_user_id])
        del changes["owner_user_id"]
        changes["owner"] = [names.get(old_owner) if old_owner else None, names.get(initiative.owner_user_id or 0)]
    if links is not None:
        before = _link_labels(initiative)
        after = [link.label for link in links]
        if before != after:
            _replace_links(initiative=initiative, links=links)
            changes["gap_links"] = [before, after]
    initiative.save()
    if changes:
        _event(initiative=initiative, kind=InitiativeEvent.Kind.UPDATED, actor=actor, changes=changes)
        audit_record(actor=actor, client=client, action="initiative.update", target=initiative, changes=changes)
    return initiative


@transaction.atomic
def initiative_delete(*, client: Client, actor: User, initiative: Initiative) -> None:
    require_consultant(actor=actor, client=client)
    audit_record(actor=actor, client=client, action="initiative.delete", target=initiative)
    initiative.delete()


def allowed_next_statuses(status: str) -> tuple[str, ...]:
    return STATUS_TRANSITIONS.get(status, ())


@transaction.atomic
def initiative_status_change(
    *, client: Client, actor: User, initiative: Initiative, status: str, note: str = ""
) -> Initiative:
    """Move an initiative along proposed → planned → in progress → done (or to dropped, or reopen)."""
    _require_progress_rights(actor=actor, client=client, initiative=initiative)
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if status not in InitiativeStatus.values:
        raise ApplicationError("Unknown status.", fields={"status": "Choose a status from the list."})
    allowed = allowed_next_statuses(initiative.status)
    if status not in allowed:
        current = InitiativeStatus(initiative.status).label
        options = ", ".join(InitiativeStatus(option).label.lower() for option in allowed) or "nothing (it is final)"
        raise ApplicationError(
            f"An initiative that is {current.lower()} can move to {options}.",
            fields={"status": f"{current} cannot move to {InitiativeStatus(status).label.lower()}."},
        )
    if len(note) > 1000:
        raise ApplicationError("The note is too long.", fields={"note": "At most 1000 characters."})
    changes: dict[str, Any] = {"status": [initiative.status, status]}
    if note.strip():
        changes["note"] = note.strip()
    initiative.status = status
    initiative.full_clean()
    initiative.save(update_fields=["status", "updated_at"])
    _event(initiative=initiative, kind=InitiativeEvent.Kind.STATUS, actor=actor, changes=changes)
    audit_record(actor=actor, client=client, action="initiative.status", target=initiative, changes=changes)
    return initiative


def _decimal(value: decimal.Decimal | float | int | str | None) -> decimal.Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = decimal.Decimal(str(value))
    except decimal.InvalidOperation as error:
        raise ApplicationError("The KPI value must be a number.", fields={"kpi_current": "Enter a number."}) from error
    if not number.is_finite():
        raise ApplicationError("The KPI value must be a number.", fields={"kpi_current": "Enter a number."})
    return number.quantize(decimal.Decimal("0.01"))


def _current_client() -> Client | None:
    return Client.objects.filter(schema_name=current_schema_name()).first()


@transaction.atomic
def initiative_kpi_record(
    *,
    initiative: Initiative,
    value: decimal.Decimal | float | int | None,
    actor: User | None = None,
    source: str,
    client: Client | None = None,
) -> Initiative:
    """Set the KPI's current value and record who (None: the system) and what source set it.

    No role check: the caller decides (the reports app calls it when a compiled report updates a
    linked KPI; people go through `initiative_kpi_update`).
    """
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    number = _decimal(value)
    old = initiative.kpi_current
    initiative.kpi_current = number
    try:
        initiative.full_clean()
    except ValidationError as error:
        raise ApplicationError(
            "The KPI value does not fit.", fields={"kpi_current": error.message_dict.get("kpi_current", [])}
        ) from error
    initiative.save(update_fields=["kpi_current", "updated_at"])
    changes = {"kpi_current": [jsonable(old), jsonable(number)], "source": source[:100]}
    _event(initiative=initiative, kind=InitiativeEvent.Kind.KPI, actor=actor, changes=changes)
    audit_record(
        actor=actor,
        client=client if client is not None else _current_client(),
        action="initiative.kpi",
        target=initiative,
        changes=changes,
    )
    return initiative


def initiative_kpi_update(
    *, client: Client, actor: User, initiative: Initiative, value: decimal.Decimal | float | int | None
) -> Initiative:
    """A person updates the KPI's current value (consultants, or the owning client leader)."""
    _require_progress_rights(actor=actor, client=client, initiative=initiative)
    return initiative_kpi_record(initiative=initiative, value=value, actor=actor, source="manual", client=client)


@transaction.atomic
def initiative_comment_add(*, client: Client, actor: User, initiative: Initiative, body: str) -> InitiativeComment:
    """Consultants and client leaders comment on any initiative; viewers only read."""
    if role_at(actor=actor, client=client) not in (Role.CONSULTANT, Role.LEADER):
        raise PermissionDeniedError("Only consultants and client leaders can comment.")
    comment = InitiativeComment(
        initiative=initiative, author_user_id=actor.pk, author_label=actor.display_name, body=body.strip()
    )
    comment.full_clean()
    comment.save()
    excerpt = comment.body if len(comment.body) <= 200 else comment.body[:199] + "…"
    _event(initiative=initiative, kind=InitiativeEvent.Kind.COMMENT, actor=actor, changes={"comment": excerpt})
    audit_record(actor=actor, client=client, action="initiative.comment", target=initiative)
    return comment
