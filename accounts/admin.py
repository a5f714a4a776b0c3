"""Django admin for consultancy admins: users, clients, memberships."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from accounts.models import AuditEvent, Client, Domain, MemberInvite, Membership, User


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "client"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    ordering = ["email"]
    list_display = ["email", "full_name", "is_consultant", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_consultant", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "digest_opt_out")}),
        (
            "Access",
            {"fields": ("is_active", "is_consultant", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "is_consultant", "password1", "password2")}),
    )


class DomainInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Domain
    extra = 0


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "name",
        "slug",
        "schema_name",
        "k_anonymity_threshold",
        "benchmark_opt_in",
        "is_ready",
        "created_at",
    ]
    search_fields = ["name", "slug"]
    readonly_fields = ["schema_name", "slug", "is_ready", "worker_seen_at", "created_at", "created_by"]
    inlines = [DomainInline, MembershipInline]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return Client.objects.engagements()

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New clients need a schema and a domain: use the console or `manage.py create_client`.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "client", "role", "created_at"]
    list_filter = ["role", "client"]
    search_fields = ["user__email", "client__name"]
    autocomplete_fields = ["user", "client"]


@admin.register(MemberInvite)
class MemberInviteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["email", "client", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role", "client"]
    readonly_fields = ["token_hash"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["created_at", "client", "actor_label", "action", "target_label"]
    list_filter = ["action", "client"]
    search_fields = ["actor_label", "target_label", "action"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
