"""A client's journey maps, quality dimensions, workshop scoring and remediation plan (tenant schema).

People are referred to by user id (`*_user_id`), not a foreign key: users live in the public
schema, and a cross-schema foreign key would make deleting a user query every tenant's tables.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

EMOTION_MIN, EMOTION_MAX = -2, 2
SCORE_MIN, SCORE_MAX = 1, 7
EMOTION_VALIDATORS = [MinValueValidator(EMOTION_MIN), MaxValueValidator(EMOTION_MAX)]
SCORE_VALIDATORS = [MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]
MAX_PERSONAS_PER_MAP = 6
EMOTION_LABELS = {-2: "Very negative", -1: "Negative", 0: "Neutral", 1: "Positive", 2: "Very positive"}
DEFAULT_STAGES = ("Discover", "Try", "Buy", "Onboard", "Use", "Renew")


class JourneyMap(models.Model):
    """One customer journey, e.g. per segment. `uid` stays the same across export/import."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # An imported map gets new uids; this keeps the uid it had in the exported document.
    source_uid = models.UUIDField(null=True, blank=True, editable=False)
    name = models.CharField(max_length=120)
    segment = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True, max_length=5000)
    is_archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Persona(models.Model):
    journey_map = models.ForeignKey(JourneyMap, on_delete=models.CASCADE, related_name="personas")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=3000)
    goals = models.TextField(blank=True, max_length=3000)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """An ordered stage of a journey (Discover, Try, Buy…). Survey questions and report cells link here."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source_uid = models.UUIDField(null=True, blank=True, editable=False)
    journey_map = models.ForeignKey(JourneyMap, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=3000)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            # Deferred, so a reorder can swap positions inside one transaction.
            models.UniqueConstraint(
                fields=["journey_map", "position"],
                name="stage_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            )
        ]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    WEB = "web", "Web"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"
    PRODUCT = "product", "Product"
    CHAT = "chat", "Chat"
    SOCIAL = "social", "Social media"
    MAIL = "mail", "Post"
    OTHER = "other", "Other"


class Touchpoint(models.Model):
    """A moment where the customer meets the client, with its emotion curve (−2..+2), as-is and to-be."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source_uid = models.UUIDField(null=True, blank=True, editable=False)
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="touchpoints")
    name = models.CharField(max_length=120)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.WEB)
    owning_team = models.CharField(max_length=120, blank=True)
    is_moment_of_truth = models.BooleanField(default=False)
    description = models.TextField(blank=True, max_length=3000)
    position = models.PositiveSmallIntegerField(default=0)
    as_is_expected_emotion = models.SmallIntegerField(null=True, blank=True, validators=EMOTION_VALIDATORS)
    as_is_actual_emotion = models.SmallIntegerField(null=True, blank=True, validators=EMOTION_VALIDATORS)
    as_is_emotion_note = models.CharField(max_length=500, blank=True)
    to_be_expected_emotion = models.SmallIntegerField(null=True, blank=True, validators=EMOTION_VALIDATORS)
    to_be_actual_emotion = models.SmallIntegerField(null=True, blank=True, validators=EMOTION_VALIDATORS)
    to_be_emotion_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["stage__position", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(as_is_expected_emotion__gte=EMOTION_MIN, as_is_expected_emotion__lte=EMOTION_MAX)
                | Q(as_is_expected_emotion__isnull=True),
                name="touchpoint_as_is_expected_range",
            ),
            models.CheckConstraint(
                condition=Q(as_is_actual_emotion__gte=EMOTION_MIN, as_is_actual_emotion__lte=EMOTION_MAX)
                | Q(as_is_actual_emotion__isnull=True),
                name="touchpoint_as_is_actual_range",
            ),
            models.CheckConstraint(
                condition=Q(to_be_expected_emotion__gte=EMOTION_MIN, to_be_expected_emotion__lte=EMOTION_MAX)
                | Q(to_be_expected_emotion__isnull=True),
                name="touchpoint_to_be_expected_range",
            ),
            models.CheckConstraint(
                condition=Q(to_be_actual_emotion__gte=EMOTION_MIN, to_be_actual_emotion__lte=EMOTION_MAX)
                | Q(to_be_actual_emotion__isnull=True),
                name="touchpoint_to_be_actual_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Dimension(models.Model):
    """A quality dimension: SERVQUAL's five (preloaded per client) or a custom one."""

    class Kind(models.TextChoices):
        SERVQUAL = "servqual", "SERVQUAL"
        CUSTOM = "custom", "Custom"

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    definition = models.TextField(blank=True, max_length=2000)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CUSTOM)
    is_hidden = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    """A dated scoring round (e.g. a workshop) of one journey map."""

    journey_map = models.ForeignKey(JourneyMap, on_delete=models.CASCADE, related_name="assessments")
    name = models.CharField(max_length=120)
    held_on = models.DateField()
    notes = models.TextField(blank=True, max_length=5000)
    created_by_user_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.held_on})"


class Perspective(models.TextChoices):
    BASELINE = "baseline", "Baseline (what is)"
    TARGET = "target", "Target (what could be)"
    INTERNAL = "internal", "Internal (staff view)"


class Score(models.Model):
    """One 1–7 score of a stage (or one of its touchpoints) on a dimension from one perspective."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="scores")
    touchpoint = models.ForeignKey(Touchpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="scores")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="scores")
    perspective = models.CharField(max_length=10, choices=Perspective.choices)
    value = models.PositiveSmallIntegerField(validators=SCORE_VALIDATORS)
    rationale = models.TextField(blank=True, max_length=3000)
    scored_by_user_id = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "stage", "touchpoint", "dimension", "perspective"],
                name="score_cell_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(condition=Q(value__gte=SCORE_MIN, value__lte=SCORE_MAX), name="score_value_range"),
        ]


class Pillar(models.TextChoices):
    IMPLEMENTATION = "implementation", "Implementation success"
    USER = "user", "User success"
    OPERATIONAL = "operational", "Operational success"
    FINANCIAL = "financial", "Financial success"


class InitiativeStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


OPEN_STATUSES = (InitiativeStatus.PROPOSED, InitiativeStatus.PLANNED, InitiativeStatus.IN_PROGRESS)
# The plan's state machine: forward one step at a time, any open status may be dropped, and a
# dropped initiative may be reopened as proposed. Done is final.
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    InitiativeStatus.PROPOSED: (InitiativeStatus.PLANNED, InitiativeStatus.DROPPED),
    InitiativeStatus.PLANNED: (InitiativeStatus.IN_PROGRESS, InitiativeStatus.DROPPED),
    InitiativeStatus.IN_PROGRESS: (InitiativeStatus.DONE, InitiativeStatus.DROPPED),
    InitiativeStatus.DONE: (),
    InitiativeStatus.DROPPED: (InitiativeStatus.PROPOSED,),
}


class Initiative(models.Model):
    """An item of the remediation plan that closes one or more gaps, with a measurable KPI."""

    journey_map = models.ForeignKey(
        JourneyMap, null=True, blank=True, on_delete=models.SET_NULL, related_name="initiatives"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000)
    pillar = models.CharField(max_length=20, choices=Pillar.choices, blank=True)
    owner_user_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=InitiativeStatus.choices, default=InitiativeStatus.PROPOSED)
    due_on = models.DateField(null=True, blank=True)
    effort = models.PositiveSmallIntegerField(default=3, validators=ONE_TO_FIVE)
    impact = models.PositiveSmallIntegerField(default=3, validators=ONE_TO_FIVE)
    kpi_name = models.CharField(max_length=200, blank=True)
    kpi_unit = models.CharField(max_length=40, blank=True)
    kpi_baseline = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    kpi_target = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    kpi_current = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # A report metric the KPI follows, e.g. "nps", "nps:stage:<stage uid>", "gap:dimension:<key>";
    # a compiled report updates kpi_current from it (reports app).
    kpi_metric = models.CharField(max_length=120, blank=True)
    created_by_user_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(effort__gte=1, effort__lte=5), name="initiative_effort_range"),
            models.CheckConstraint(condition=Q(impact__gte=1, impact__lte=5), name="initiative_impact_range"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status not in (InitiativeStatus.DONE, InitiativeStatus.DROPPED)

    def is_overdue_on(self, day: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < day

    @property
    def is_quick_win(self) -> bool:
        return self.impact >= 4 and self.effort <= 2


class InitiativeGapLink(models.Model):
    """A gap the initiative addresses: a stage, a touchpoint and/or a dimension."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="gap_links")
    stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    touchpoint = models.ForeignKey(Touchpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    dimension = models.ForeignKey(Dimension, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__isnull=False) | Q(touchpoint__isnull=False) | Q(dimension__isnull=False),
                name="gap_link_not_empty",
            )
        ]


class InitiativeEvent(models.Model):
    """History of an initiative: who changed what and when (status moves, KPI updates, edits, comments)."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        STATUS = "status", "Status changed"
        KPI = "kpi", "KPI updated"
        COMMENT = "comment", "Commented"

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=254, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]


class InitiativeComment(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="comments")
    author_user_id = models.BigIntegerField(null=True, blank=True)
    author_label = models.CharField(max_length=254, blank=True)
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "id"]
