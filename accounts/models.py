"""Public-schema models: clients (tenants), users, memberships, invitations, audit, jobs."""

from __future__ import annotations

import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.timezone import now
from django_tenants.models import DomainMixin, TenantMixin

from accounts.validators import validate_client_slug, validate_logo


def logo_storage() -> FileSystemStorage:
    # Logos are branding shown to respondents; they live outside any tenant's media folder so the
    # console (public schema) and the portals (tenant schemas) find the same file.
    return FileSystemStorage(location=settings.MEDIA_ROOT / "logos")


HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour like #1d4ed8.")


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class ClientQuerySet(models.QuerySet["Client"]):
    def engagements(self) -> ClientQuerySet:
        """Every real client: the public tenant only routes the console."""
        return self.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)


class Client(TenantMixin):
    """One client organisation of the consultancy: a tenant with its own schema."""

    name = models.CharField(max_length=120)
    slug = models.CharField(max_length=40, unique=True, validators=[validate_client_slug])
    brand_colour = models.CharField(max_length=7, default="#1d4ed8", validators=[HEX_COLOUR])
    logo = models.ImageField(upload_to="", storage=logo_storage, blank=True, validators=[validate_logo])
    k_anonymity_threshold = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(3), MaxValueValidator(100)],
        help_text="Report cells with fewer respondents than this show no numbers.",
    )
    benchmark_opt_in = models.BooleanField(
        default=False, help_text="Contribute anonymised aggregates to cross-client benchmarks."
    )
    timezone = models.CharField(max_length=64, default="UTC", choices=timezone_choices)
    language = models.CharField(max_length=8, default="en", choices=settings.LANGUAGES)
    created_at = models.DateTimeField(default=now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_ready = models.BooleanField(default=False, help_text="Schema created and migrated.")
    worker_seen_at = models.DateTimeField(null=True, blank=True)

    # Schemas are created on save; dropping one is an explicit, audited service (client_delete).
    auto_create_schema = True
    auto_drop_schema = False

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.schema_name == settings.PUBLIC_SCHEMA_NAME


class Domain(DomainMixin):
    pass


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.update(is_staff=True, is_superuser=True, is_consultant=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: consultancy staff or a client's leader/viewer. Email is the login."""

    email = models.EmailField(max_length=254, unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_consultant = models.BooleanField(
        default=False, help_text="Works for the consultancy: may create clients and be a client's consultant."
    )
    is_staff = models.BooleanField(default=False, help_text="Consultancy admin: Django admin and every client.")
    is_active = models.BooleanField(default=True)  # type: ignore[assignment,misc]
    date_joined = models.DateTimeField(default=now)
    digest_opt_out = models.BooleanField(default=False, help_text="No weekly digest emails.")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()


class Role(models.TextChoices):
    CONSULTANT = "consultant", "Consultant"
    LEADER = "leader", "Client leader"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    """A user's access to one client, with one role."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "client"], name="membership_user_client_unique")]
        ordering = ["client__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} — {self.client} ({self.get_role_display()})"


class MemberInvite(models.Model):
    """An emailed, one-time, expiring invitation to join a client. Only the token's hash is kept."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField(max_length=254)
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invite {self.email} to {self.client}"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now()


class LoginHandoff(models.Model):
    """A one-time, 60-second link that signs a console user into one client portal."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    next_path = models.CharField(max_length=500, default="/")
    console_session_key = models.CharField(max_length=40, blank=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class PortalSession(models.Model):
    """A portal session opened from a console session, so signing out anywhere signs out everywhere."""

    console_session_key = models.CharField(max_length=40, db_index=True)
    portal_session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=now)


class ApiToken(models.Model):
    """A personal API token. The key is shown once; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, help_text="First characters of the key, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditEvent(models.Model):
    """Who changed what and when, for every client, kept in the public schema."""

    # Kept (client set to NULL, label kept) when a client is deleted, so the deletion stays on record.
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events")
    client_label = models.CharField(max_length=160, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True, help_text="Kept when the user is gone.")
    action = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"


class EngagementTemplate(models.Model):
    """A saved bundle to start a new client from: journey maps, dimensions, questionnaires and the
    campaign schedule, captured from an existing client (scores, people and answers are not kept)."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True, max_length=2000)
    # The client it came from; shown only to people who can open that client.
    source_client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_label = models.CharField(max_length=160, blank=True, help_text="The client it was captured from.")
    document = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def contents(self) -> dict[str, int]:
        return {
            "journey_maps": len(self.document.get("journey_maps") or []),
            "questionnaires": len(self.document.get("questionnaires") or []),
            "campaigns": len(self.document.get("campaigns") or []),
        }


class DigestDelivery(models.Model):
    """One weekly digest sent to one person about one client: never twice for the same week."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    week_of = models.DateField(help_text="Monday of the week the digest covers.")
    sent_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "client", "week_of"], name="digest_once_a_week")]


class EngagementPhase(models.TextChoices):
    DIAGNOSE = "diagnose", "Diagnose"
    SURVEYING = "surveying", "Surveying"
    REPORTING = "reporting", "Reporting"
    REMEDIATING = "remediating", "Remediating"


class ClientSummary(models.Model):
    """Headline figures of one client, kept in the public schema so the consultant cockpit lists
    hundreds of clients without entering their schemas. Refreshed by a task after changes."""

    client = models.OneToOneField(Client, primary_key=True, on_delete=models.CASCADE, related_name="summary")
    phase = models.CharField(max_length=12, choices=EngagementPhase.choices, default=EngagementPhase.DIAGNOSE)
    diagnosed_gap = models.FloatField(null=True, blank=True, help_text="Mean target − baseline, latest assessment.")
    weighted_gap = models.FloatField(null=True, blank=True, help_text="Latest report's weighted SERVQUAL gap.")
    weighted_gap_change = models.FloatField(null=True, blank=True, help_text="Since the report before it.")
    nps = models.FloatField(null=True, blank=True)
    nps_change = models.FloatField(null=True, blank=True)
    active_campaigns = models.PositiveIntegerField(default=0)
    response_rate = models.FloatField(null=True, blank=True, help_text="Completed / sent, running campaigns (%).")
    open_initiatives = models.PositiveIntegerField(default=0)
    overdue_initiatives = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "client summaries"

    def __str__(self) -> str:
        return f"Summary of {self.client_id}"


class BackgroundJob(models.Model):
    """Progress of long work done by a worker (imports, report compiles), polled by pages."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=60)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class BenchmarkAggregate(models.Model):
    """Cross-client benchmark of one report metric: how many clients contributed and percentile cut
    points. Never a client's own value or identity; cut points stay empty below 5 contributors."""

    metric = models.CharField(max_length=120, unique=True, help_text="e.g. nps, weighted_gap, gap:dimension:empathy")
    contributor_count = models.PositiveIntegerField()
    p10 = models.FloatField(null=True, blank=True)
    p25 = models.FloatField(null=True, blank=True)
    p50 = models.FloatField(null=True, blank=True)
    p75 = models.FloatField(null=True, blank=True)
    p90 = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["metric"]

    def __str__(self) -> str:
        return f"{self.metric} ({self.contributor_count} clients)"
