"""Questionnaires, respondents, staged campaigns, invitations and answers (tenant schema).

Sending is exactly-once by design: an invitation is claimed (`scheduled` → `sending`, with a claim
id and time) inside a transaction before any email leaves, and moved to `sent` with its Message-ID
after the SMTP server accepted it. See docs/surveys-campaigns.md for the state machine.
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from diagnostics.models import Dimension, JourneyMap, Stage, Touchpoint


class Audience(models.TextChoices):
    CUSTOMERS = "customers", "Customers"
    STAFF = "staff", "Staff (mirror)"


class Questionnaire(models.Model):
    """A versioned questionnaire. Once a launched campaign uses a version it is frozen; edits make a new version."""

    family_uid = models.UUIDField(default=uuid.uuid4, db_index=True, help_text="Shared by all versions.")
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=200)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.CUSTOMERS)
    journey_map = models.ForeignKey(
        JourneyMap, null=True, blank=True, on_delete=models.SET_NULL, related_name="questionnaires"
    )
    intro_text = models.TextField(blank=True, max_length=5000)
    thank_you_text = models.TextField(blank=True, max_length=5000)
    is_frozen = models.BooleanField(default=False)
    # A staff mirror asks the same items (same item_keys) of the client's employees; this names
    # the customer questionnaire family it mirrors, so reports can pair the two.
    mirror_of_family_uid = models.UUIDField(null=True, blank=True)
    created_by_user_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["family_uid", "version"], name="questionnaire_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def is_staff_mirror(self) -> bool:
        return self.mirror_of_family_uid is not None


class QuestionPage(models.Model):
    """A page of questions shown together. `key` identifies the same page across versions."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="pages")
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True, max_length=3000)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "position"], name="page_position_unique", deferrable=models.Deferrable.DEFERRED
            ),
            models.UniqueConstraint(fields=["questionnaire", "key"], name="page_key_unique"),
        ]

    def __str__(self) -> str:
        return self.title or f"Page {self.position}"


class QuestionKind(models.TextChoices):
    SERVQUAL_PAIR = "servqual_pair", "SERVQUAL pair (expectation and perception, 1–7)"
    LIKERT = "likert", "Likert scale"
    NPS = "nps", "Net Promoter Score (0–10)"
    CSAT = "csat", "Customer satisfaction (1–5)"
    CES = "ces", "Customer effort (1–7)"
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTI_CHOICE = "multi_choice", "Multiple choice"
    TEXT = "text", "Free text"
    IMPORTANCE = "importance", "Importance allocation (100 points across dimensions)"


# Answer ranges of the rating kinds whose scale is fixed (Likert has 5 or 7 points, see scale_range).
FIXED_SCALES: dict[str, tuple[int, int]] = {
    QuestionKind.SERVQUAL_PAIR: (1, 7),
    QuestionKind.NPS: (0, 10),
    QuestionKind.CSAT: (1, 5),
    QuestionKind.CES: (1, 7),
}
LIKERT_SCALE_POINTS = (5, 7)


class Question(models.Model):
    """One question. `item_key` identifies the same item across versions and the staff mirror."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    page = models.ForeignKey(QuestionPage, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    item_key = models.CharField(max_length=40, help_text="e.g. SQ01..SQ22 for SERVQUAL items.")
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    text = models.CharField(max_length=500, help_text="Perception wording for SERVQUAL pairs.")
    expectation_text = models.CharField(max_length=500, blank=True, help_text="Expectation wording (SERVQUAL pairs).")
    help_text = models.CharField(max_length=500, blank=True)
    is_required = models.BooleanField(default=True)
    scale_points = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Likert: 5 or 7.")
    scale_min_label = models.CharField(max_length=80, blank=True)
    scale_max_label = models.CharField(max_length=80, blank=True)
    options = models.JSONField(default=list, blank=True, help_text="Choices: a list of labels.")
    stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions")
    touchpoint = models.ForeignKey(
        Touchpoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    dimension = models.ForeignKey(Dimension, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions")

    class Meta:
        ordering = ["page__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "item_key"], name="question_item_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item_key}: {self.text}"

    @property
    def scale_range(self) -> tuple[int, int] | None:
        """The lowest and highest answer of a rating question (None for choices, text, importance)."""
        if self.kind == QuestionKind.LIKERT:
            return (1, self.scale_points or 5)
        return FIXED_SCALES.get(self.kind)


class Respondent(models.Model):
    """A customer or staff member who can be surveyed. Unique by email within the client."""

    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    company = models.CharField(max_length=200, blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.CUSTOMERS)
    segment = models.CharField(max_length=120, blank=True)
    language = models.CharField(max_length=8, default="en")
    # Anchor dates campaign stages count from, e.g. {"signup": "2026-01-31", "purchase": "2026-02-03"}.
    anchor_dates = models.JSONField(default=dict, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email"]
        indexes = [models.Index(fields=["audience", "segment"], name="respondent_audience_segment")]

    def __str__(self) -> str:
        return self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class OptOut(models.Model):
    """A permanent opt-out of this client's surveys. Keyed by the email's hash so erasure keeps it."""

    email_hash = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=20, default="link")  # link, one_click, complaint, bounce, manual, import
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]


class RespondentImport(models.Model):
    """One upload of a respondent file: preview, then a row-by-row report of what was imported."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "Preview"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Source(models.TextChoices):
        FILE = "file", "Uploaded file"
        ROWS = "rows", "Rows sent through the API"

    file_name = models.CharField(max_length=255)
    stored_file = models.FileField(upload_to="imports/", blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FILE)
    file_format = models.CharField(max_length=10, blank=True)  # csv or xlsx
    encoding = models.CharField(max_length=20, blank=True, help_text="Text encoding a CSV file was read with.")
    file_size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.CUSTOMERS)
    # What the preview showed: {"columns": [{"header", "field", "target"}], "rows": [[...]], "good_rows", "bad_rows"}.
    preview = models.JSONField(default=dict, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    updated_rows = models.PositiveIntegerField(default=0)
    skipped_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text='[{"row": 7, "reason": "bad email"}, ...]')
    error_message = models.CharField(max_length=500, blank=True, help_text="Why the whole file failed.")
    job_id = models.UUIDField(null=True, blank=True)
    created_by_user_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def errors_not_listed(self) -> int:
        """Bad rows beyond the stored error list (it keeps the first ones only)."""
        return max(0, self.skipped_rows - len(self.errors))


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


class Campaign(models.Model):
    """One survey wave of one questionnaire version to one audience."""

    name = models.CharField(max_length=200)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="campaigns")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.CUSTOMERS)
    segment = models.CharField(max_length=120, blank=True, help_text="Only respondents of this segment (blank: all).")
    wave = models.PositiveSmallIntegerField(default=1, help_text="Wave number, for trend over waves.")
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    launched_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Links stop working and sending stops.")
    # Send window in the client's time zone: ISO weekdays (1 = Monday) and hours [start, end).
    send_days = models.JSONField(default=list, blank=True, help_text="[1,2,3,4,5]; empty means every day.")
    send_start_hour = models.PositiveSmallIntegerField(default=8, validators=[MaxValueValidator(23)])
    send_end_hour = models.PositiveSmallIntegerField(
        default=20, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    throttle_per_minute = models.PositiveIntegerField(
        default=120, validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    reminder_max_count = models.PositiveSmallIntegerField(default=2, validators=[MaxValueValidator(10)])
    reminder_min_days = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    sender_name = models.CharField(max_length=120, blank=True)
    consultant_user_id = models.BigIntegerField(
        null=True, blank=True, help_text="Signs the emails ({{ consultant_name }})."
    )
    invitation_subject = models.CharField(max_length=200, default="Tell us about your experience with {{ company }}")
    invitation_body = models.TextField(max_length=10000, blank=True)
    reminder_subject = models.CharField(max_length=200, default="A reminder: your view on {{ company }}")
    reminder_body = models.TextField(max_length=10000, blank=True)
    created_by_user_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(send_start_hour__lt=models.F("send_end_hour")), name="campaign_window_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignStage(models.Model):
    """A send moment of a campaign: an absolute time, or N days after a respondent's anchor date."""

    class Timing(models.TextChoices):
        ABSOLUTE = "absolute", "At a fixed time"
        RELATIVE = "relative", "Days after an anchor date"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=120)
    journey_stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    touchpoint = models.ForeignKey(Touchpoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    timing = models.CharField(max_length=10, choices=Timing.choices, default=Timing.ABSOLUTE)
    send_at = models.DateTimeField(null=True, blank=True)
    anchor = models.CharField(max_length=60, blank=True, help_text="Anchor date name, e.g. purchase.")
    offset_days = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(3650)])

    class Meta:
        ordering = ["position", "id"]


class InvitationState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    OPENED = "opened", "Opened"
    STARTED = "started", "Started"
    COMPLETED = "completed", "Completed"
    BOUNCED = "bounced", "Bounced"
    OPTED_OUT = "opted_out", "Opted out"
    EXPIRED = "expired", "Expired"
    FAILED = "failed", "Failed"


class Invitation(models.Model):
    """A respondent × campaign stage. Only the token's hash is stored."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    campaign_stage = models.ForeignKey(CampaignStage, on_delete=models.CASCADE, related_name="invitations")
    respondent = models.ForeignKey(
        Respondent, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # The raw token is derived (HMAC of schema, id and this salt, see surveys/links.py), never stored.
    token_salt = models.CharField(max_length=32, default="")
    state = models.CharField(
        max_length=10, choices=InvitationState.choices, default=InvitationState.SCHEDULED, db_index=True
    )
    scheduled_for = models.DateTimeField(db_index=True)
    # Claim of the sender working on it now: set with the move to `sending`; a claim older than
    # the lease is recovered by the dispatcher (the worker died) without ever sending twice.
    claim_id = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    kind_in_flight = models.CharField(max_length=10, blank=True, help_text="invitation or reminder")
    message_id = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set when the SMTP server answered 250 to the end of DATA (the commit happens just before).
    sent_confirmed_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    next_reminder_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign_stage", "respondent"], name="invitation_once_per_stage"),
        ]
        indexes = [models.Index(fields=["campaign", "state"])]


class SentEmail(models.Model):
    """Every email handed to the SMTP server, by Message-ID: the ledger that proves exactly-once."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=10)  # invitation or reminder
    message_id = models.CharField(max_length=255, unique=True)
    sent_at = models.DateTimeField(default=now)
    # 250 to the end of DATA; a rejection after the commit sets rejected_at and the error instead.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at"])]


class Response(models.Model):
    """A respondent's answers to one questionnaire version; saved per page, completed once."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    class Source(models.TextChoices):
        INVITATION = "invitation", "Emailed invitation"
        IMPORT = "import", "Imported"

    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="responses")
    respondent = models.ForeignKey(
        Respondent, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.INVITATION)
    segment = models.CharField(max_length=120, blank=True, help_text="Respondent's segment when answering.")
    language = models.CharField(max_length=8, default="en")
    current_page = models.PositiveSmallIntegerField(default=0)
    external_id = models.CharField(
        max_length=120, blank=True, default="", db_default="", help_text="Id of an imported response, for re-imports."
    )
    started_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["campaign", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "external_id"], condition=~Q(external_id=""), name="response_external_id_unique"
            )
        ]


class Answer(models.Model):
    """One answer. Numbers in `value` (perception for SERVQUAL pairs), the pair's expectation in
    `expectation`; choices, text and importance allocations in their own columns."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.SmallIntegerField(null=True, blank=True)
    expectation = models.SmallIntegerField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True, max_length=5000)
    allocation = models.JSONField(default=dict, blank=True, help_text='{"reliability": 30, ...} summing to 100.')

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question")]


class InboundEvent(models.Model):
    """A bounce or complaint reported by the email provider's webhook (idempotent by event id)."""

    event_id = models.CharField(max_length=200, unique=True)
    event_type = models.CharField(max_length=20)  # bounced, complained, ...
    message_id = models.CharField(max_length=255, blank=True)
    recipient = models.EmailField(max_length=254, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(default=now)
