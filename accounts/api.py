"""REST API of the accounts app: console endpoints (bare domain) and client access endpoints (client hosts)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import (
    ApiToken,
    AuditEvent,
    BackgroundJob,
    Client,
    EngagementTemplate,
    MemberInvite,
    Membership,
    Role,
)
from accounts.permissions import CONSULTANT_ONLY, LEADERS_AND_CONSULTANTS, request_role
from accounts.requests import ApiRequest
from cxgap_project.api import Pagination
from cxgap_project.tenant_tasks import enqueue


class ClientOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    portal_url = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()

    class Meta:
        model = Client
        fields = [
            "slug",
            "name",
            "brand_colour",
            "k_anonymity_threshold",
            "benchmark_opt_in",
            "timezone",
            "language",
            "created_at",
            "portal_url",
            "role",
        ]

    def get_portal_url(self, client: Client) -> str:
        return selectors.client_url(client)

    def get_role(self, client: Client) -> str | None:
        return selectors.membership_role(user=self.context["request"].user, client=client)


class ClientListApi(APIView):
    """Clients the user belongs to (all clients for consultancy admins); consultants create new ones."""

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        name = serializers.CharField(max_length=120)
        slug = serializers.CharField(max_length=40)
        brand_colour = serializers.CharField(max_length=7, required=False, default="#1d4ed8")
        k_anonymity_threshold = serializers.IntegerField(required=False, default=5, min_value=3, max_value=100)
        benchmark_opt_in = serializers.BooleanField(required=False, default=False)
        timezone = serializers.CharField(required=False, default="UTC")
        language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False, default="en")
        template = serializers.PrimaryKeyRelatedField(
            queryset=EngagementTemplate.objects.all(),
            required=False,
            allow_null=True,
            help_text="Engagement template to start from (its maps, questionnaires and schedule are copied).",
        )

    @extend_schema(responses=ClientOutputSerializer(many=True), operation_id="clients_list")
    def get(self, request: ApiRequest) -> Response:
        clients = selectors.clients_for_user(user=request.user).order_by("name")
        paginator = Pagination()
        page = paginator.paginate_queryset(clients, request, view=self)
        return paginator.get_paginated_response(
            ClientOutputSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(request=InputSerializer, responses={201: ClientOutputSerializer}, operation_id="clients_create")
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["timezone_name"] = data.pop("timezone")
        client = services.client_create(acting_user=request.user, **data)
        return Response(
            ClientOutputSerializer(client, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class ClientDetailApi(APIView):
    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        name = serializers.CharField(max_length=120, required=False)
        brand_colour = serializers.CharField(max_length=7, required=False)
        k_anonymity_threshold = serializers.IntegerField(required=False, min_value=3, max_value=100)
        benchmark_opt_in = serializers.BooleanField(required=False)
        timezone = serializers.CharField(required=False)
        language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)

    @extend_schema(responses=ClientOutputSerializer, operation_id="clients_retrieve")
    def get(self, request: ApiRequest, slug: str) -> Response:
        client, _role = selectors.client_for_user(user=request.user, slug=slug)
        return Response(ClientOutputSerializer(client, context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses=ClientOutputSerializer, operation_id="clients_partial_update")
    def patch(self, request: ApiRequest, slug: str) -> Response:
        client, _role = selectors.client_for_user(user=request.user, slug=slug)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client = services.client_update(client=client, acting_user=request.user, **serializer.validated_data)
        return Response(ClientOutputSerializer(client, context={"request": request}).data)


class MembershipOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    client = serializers.CharField(source="client.slug")
    role = serializers.CharField()


class MeApi(APIView):
    """The signed-in user, their memberships, and their role at this host's client (if any)."""

    class OutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        email = serializers.EmailField()
        full_name = serializers.CharField()
        is_consultant = serializers.BooleanField()
        is_staff = serializers.BooleanField()
        role_here = serializers.CharField(allow_null=True)
        memberships = MembershipOutputSerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: ApiRequest) -> Response:
        user = request.user
        payload = {
            "email": user.email,
            "full_name": user.full_name,
            "is_consultant": user.is_consultant,
            "is_staff": user.is_staff,
            "role_here": request_role(request),
            "memberships": Membership.objects.filter(user=user).select_related("client"),
        }
        return Response(self.OutputSerializer(payload).data)


class ApiTokenOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at"]


class ApiTokenListApi(APIView):
    """Personal API tokens. The key appears only in the response that creates it."""

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        name = serializers.CharField(max_length=100)

    @extend_schema(responses=ApiTokenOutputSerializer(many=True))
    def get(self, request: ApiRequest) -> Response:
        tokens = ApiToken.objects.filter(user=request.user, revoked_at=None)
        paginator = Pagination()
        page = paginator.paginate_queryset(tokens, request, view=self)
        return paginator.get_paginated_response(ApiTokenOutputSerializer(page, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "ApiTokenCreated",
                {"id": serializers.IntegerField(), "name": serializers.CharField(), "key": serializers.CharField()},
            )
        },
    )
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, raw_key = services.api_token_create(user=request.user, name=serializer.validated_data["name"])
        return Response({"id": token.pk, "name": token.name, "key": raw_key}, status=status.HTTP_201_CREATED)


class ApiTokenDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: ApiRequest, token_id: int) -> Response:
        token = ApiToken.objects.filter(pk=token_id, user=request.user, revoked_at=None).first()
        if token is None:
            raise NotFound()
        services.api_token_revoke(token=token, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- client hosts ------------------------------------------------------------------------


class MemberOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")
    role = serializers.CharField()
    created_at = serializers.DateTimeField()


class MemberListApi(APIView):
    read_roles = LEADERS_AND_CONSULTANTS

    @extend_schema(responses=MemberOutputSerializer(many=True))
    def get(self, request: ApiRequest) -> Response:
        memberships = selectors.client_members(client=request.tenant)
        paginator = Pagination()
        page = paginator.paginate_queryset(memberships, request, view=self)
        return paginator.get_paginated_response(MemberOutputSerializer(page, many=True).data)


class MemberDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: ApiRequest, membership_id: int) -> Response:
        membership = (
            Membership.objects.select_related("user", "client").filter(pk=membership_id, client=request.tenant).first()
        )
        if membership is None:
            raise NotFound()
        services.membership_remove(membership=membership, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InviteOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = MemberInvite
        fields = ["id", "email", "full_name", "role", "created_at", "expires_at"]


class InviteListApi(APIView):
    """Pending invitations; creating one emails a one-time link (the same answer whether or not the
    person already has an account)."""

    read_roles = CONSULTANT_ONLY

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        email = serializers.EmailField()
        full_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
        role = serializers.ChoiceField(choices=[Role.LEADER.value, Role.VIEWER.value])

    @extend_schema(responses=InviteOutputSerializer(many=True))
    def get(self, request: ApiRequest) -> Response:
        invites = selectors.pending_invites(client=request.tenant)
        paginator = Pagination()
        page = paginator.paginate_queryset(invites, request, view=self)
        return paginator.get_paginated_response(InviteOutputSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: InviteOutputSerializer})
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invite = services.member_invite_create(
            client=request.tenant, acting_user=request.user, **serializer.validated_data
        )
        return Response(InviteOutputSerializer(invite).data, status=status.HTTP_201_CREATED)


class InviteDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: ApiRequest, invite_id: int) -> Response:
        invite = MemberInvite.objects.filter(
            pk=invite_id, client=request.tenant, accepted_at=None, revoked_at=None
        ).first()
        if invite is None:
            raise NotFound()
        services.member_invite_revoke(invite=invite, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class JobOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    percent = serializers.IntegerField()

    class Meta:
        model = BackgroundJob
        fields = [
            "id",
            "kind",
            "status",
            "percent",
            "progress_done",
            "progress_total",
            "message",
            "result",
            "created_at",
            "finished_at",
        ]


class JobDetailApi(APIView):
    """Progress of a background job of this client."""

    @extend_schema(responses=JobOutputSerializer)
    def get(self, request: ApiRequest, job_id: Any) -> Response:
        job = selectors.job_for_client(client=request.tenant, job_id=job_id)
        return Response(JobOutputSerializer(job).data)


class WorkerProbeApi(APIView):
    """Ask a worker to run a task in this client's schema; poll the returned job for what it saw."""

    @extend_schema(request=None, responses={202: JobOutputSerializer})
    def post(self, request: ApiRequest) -> Response:
        from accounts.tasks import schema_probe

        with transaction.atomic():
            job = services.job_create(client=request.tenant, kind="probe", created_by=request.user, total=1)
            schema_name = request.tenant.schema_name
            transaction.on_commit(lambda: enqueue(schema_probe, schema_name=schema_name, job_id=str(job.pk)))
        return Response(JobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class AuditEventOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor_label", "action", "target_type", "target_id", "target_label", "changes"]


class AuditEventListApi(APIView):
    read_roles = CONSULTANT_ONLY

    @extend_schema(responses=AuditEventOutputSerializer(many=True))
    def get(self, request: ApiRequest) -> Response:
        events = selectors.client_audit_events(client=request.tenant)
        paginator = Pagination()
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response(AuditEventOutputSerializer(page, many=True).data)


class EngagementTemplateOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    contents = serializers.DictField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = EngagementTemplate
        fields = ["id", "name", "description", "contents", "created_at"]


class EngagementTemplateListApi(APIView):
    """Engagement templates (consultancy staff): list them, or capture one from a client."""

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        client = serializers.SlugField(help_text="Slug of the client to capture from (you must be its consultant).")
        name = serializers.CharField(max_length=120)
        description = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)

    @extend_schema(responses=EngagementTemplateOutputSerializer(many=True))
    def get(self, request: ApiRequest) -> Response:
        if not (request.user.is_consultant or request.user.is_staff):
            raise NotFound()
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.engagement_templates(), request, view=self)
        return paginator.get_paginated_response(EngagementTemplateOutputSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: EngagementTemplateOutputSerializer})
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        client, _role = selectors.client_for_user(user=request.user, slug=data["client"])
        template = services.engagement_template_capture(
            client=client, acting_user=request.user, name=data["name"], description=data["description"]
        )
        return Response(EngagementTemplateOutputSerializer(template).data, status=status.HTTP_201_CREATED)
