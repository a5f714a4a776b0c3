"""REST API of the campaigns half: campaigns and stages, launch/pause/resume/close, progress,
invitations (status), responses (read), importing answers, and the bounce/complaint webhook.

One APIView per operation; the rules live in surveys/services, reads in surveys/selectors.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from accounts.permissions import AllowAnyone
from accounts.requests import ApiRequest
from cxgap_project.api import Pagination
from diagnostics.models import Stage, Touchpoint
from surveys.models import (
    Audience,
    Campaign,
    CampaignStage,
    CampaignStatus,
    Invitation,
    InvitationState,
    Questionnaire,
    Response,
)
from surveys.selectors.campaigns import campaign_invitations, campaign_list, campaign_progress, responses_with_answers
from surveys.services import answering, campaigns, sending

# --- serializers ----------------------------------------------------------------------------


class CampaignOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "questionnaire",
            "audience",
            "segment",
            "wave",
            "status",
            "launched_at",
            "closed_at",
            "expires_at",
            "send_days",
            "send_start_hour",
            "send_end_hour",
            "throttle_per_minute",
            "reminder_max_count",
            "reminder_min_days",
            "sender_name",
            "consultant_user_id",
            "invitation_subject",
            "invitation_body",
            "reminder_subject",
            "reminder_body",
            "created_at",
        ]


class CampaignInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=200)
    questionnaire = serializers.PrimaryKeyRelatedField(queryset=Questionnaire.objects.all())
    audience = serializers.ChoiceField(choices=Audience.choices)
    segment = serializers.CharField(max_length=120, required=False, allow_blank=True)
    wave = serializers.IntegerField(min_value=1, max_value=100, required=False)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    send_days = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=7), required=False)
    send_start_hour = serializers.IntegerField(min_value=0, max_value=23, required=False)
    send_end_hour = serializers.IntegerField(min_value=1, max_value=24, required=False)
    throttle_per_minute = serializers.IntegerField(min_value=1, max_value=100000, required=False)
    reminder_max_count = serializers.IntegerField(min_value=0, max_value=10, required=False)
    reminder_min_days = serializers.IntegerField(min_value=1, max_value=60, required=False)
    sender_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    consultant_user_id = serializers.IntegerField(required=False, allow_null=True)
    invitation_subject = serializers.CharField(max_length=200, required=False)
    invitation_body = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    reminder_subject = serializers.CharField(max_length=200, required=False)
    reminder_body = serializers.CharField(max_length=10000, required=False, allow_blank=True)


class CampaignStageOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = CampaignStage
        fields = ["id", "position", "name", "journey_stage", "touchpoint", "timing", "send_at", "anchor", "offset_days"]


class CampaignStageInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    position = serializers.IntegerField(min_value=0, max_value=100, required=False)
    name = serializers.CharField(max_length=120)
    journey_stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all(), required=False, allow_null=True)
    touchpoint = serializers.PrimaryKeyRelatedField(queryset=Touchpoint.objects.all(), required=False, allow_null=True)
    timing = serializers.ChoiceField(choices=CampaignStage.Timing.choices)
    send_at = serializers.DateTimeField(required=False, allow_null=True)
    anchor = serializers.CharField(max_length=60, required=False, allow_blank=True)
    offset_days = serializers.IntegerField(min_value=0, max_value=3650, required=False)


class InvitationOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    respondent_email = serializers.EmailField(source="respondent.email", allow_null=True, default=None)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "campaign",
            "campaign_stage",
            "respondent",
            "respondent_email",
            "state",
            "scheduled_for",
            "attempts",
            "last_error",
            "message_id",
            "sent_at",
            "sent_confirmed_at",
            "opened_at",
            "started_at",
            "completed_at",
            "reminders_sent",
            "next_reminder_at",
        ]


class AnswerOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    question = serializers.IntegerField(source="question_id")
    item_key = serializers.CharField(source="question.item_key")
    value = serializers.IntegerField(allow_null=True)
    expectation = serializers.IntegerField(allow_null=True)
    choices = serializers.ListField(child=serializers.CharField())
    text = serializers.CharField()
    allocation = serializers.DictField(child=serializers.IntegerField())


class ResponseOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    respondent_email = serializers.EmailField(source="respondent.email", allow_null=True, default=None)
    answers = AnswerOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Response
        fields = [
            "id",
            "campaign",
            "questionnaire",
            "invitation",
            "respondent",
            "respondent_email",
            "status",
            "source",
            "segment",
            "language",
            "external_id",
            "started_at",
            "completed_at",
            "answers",
        ]


ProgressSerializer = inline_serializer(
    name="CampaignProgress",
    fields={
        "campaign": serializers.IntegerField(),
        "status": serializers.CharField(),
        "states": serializers.DictField(child=serializers.IntegerField()),
        "funnel": serializers.DictField(child=serializers.IntegerField()),
        "response_rate": serializers.FloatField(allow_null=True),
        "missing_anchor_date": serializers.IntegerField(),
        "unconfirmed": serializers.IntegerField(),
        "stages": serializers.ListField(child=serializers.DictField()),
        "recent_errors": serializers.ListField(child=serializers.DictField()),
    },
)


def _campaign(campaign_id: int) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("questionnaire"), pk=campaign_id)


# --- campaigns ----------------------------------------------------------------------------


class CampaignListApi(APIView):
    class FilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
        status = serializers.ChoiceField(choices=CampaignStatus.choices, required=False)
        wave = serializers.IntegerField(required=False)

    @extend_schema(
        parameters=[FilterSerializer], responses=CampaignOutputSerializer(many=True), operation_id="campaigns_list"
    )
    def get(self, request: ApiRequest) -> ApiResponse:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = campaign_list().filter(**filters.validated_data).order_by("-created_at", "-pk")
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(CampaignOutputSerializer(page, many=True).data)

    @extend_schema(
        request=CampaignInputSerializer, responses={201: CampaignOutputSerializer}, operation_id="campaigns_create"
    )
    def post(self, request: ApiRequest) -> ApiResponse:
        serializer = CampaignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        campaign = campaigns.campaign_create(
            client=request.tenant, acting_user=request.user, **serializer.validated_data
        )
        return ApiResponse(CampaignOutputSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailApi(APIView):
    @extend_schema(responses=CampaignOutputSerializer, operation_id="campaigns_retrieve")
    def get(self, request: ApiRequest, campaign_id: int) -> ApiResponse:
        return ApiResponse(CampaignOutputSerializer(_campaign(campaign_id)).data)

    @extend_schema(
        request=CampaignInputSerializer(partial=True),
        responses=CampaignOutputSerializer,
        operation_id="campaigns_partial_update",
        description="Drafts change freely; after launch only name, copy, reminders, window, throttle, "
        "expiry and sender (409 otherwise).",
    )
    def patch(self, request: ApiRequest, campaign_id: int) -> ApiResponse:
        serializer = CampaignInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        campaign = campaigns.campaign_update(
            campaign=_campaign(campaign_id),
            client=request.tenant,
            acting_user=request.user,
            **serializer.validated_data,
        )
        return ApiResponse(CampaignOutputSerializer(campaign).data)


def _campaign_action(*, request: ApiRequest, campaign_id: int, action: str) -> ApiResponse:
    service = getattr(campaigns, f"campaign_{action}")
    service(campaign=_campaign(campaign_id), client=request.tenant, acting_user=request.user)
    return ApiResponse(CampaignOutputSerializer(_campaign(campaign_id)).data)


class CampaignLaunchApi(APIView):
    @extend_schema(
        request=None,
        responses=CampaignOutputSerializer,
        operation_id="campaigns_launch",
        description="Freeze the questionnaire, create the invitations and start sending (400 when not ready).",
    )
    def post(self, request: ApiRequest, campaign_id: int) -> ApiResponse:
        return _campaign_action(request=request, campaign_id=campaign_id, action="launch")


class CampaignPauseApi(APIView):
    @extend_schema(request=None, responses=CampaignOutputSerializer, operation_id="campaigns_pause")
    def post(self, request: ApiRequest, campaign_id: int) -> ApiResponse:
        return _campaign_action(request=request, campaign_id=campaign_id, action="pause")


class CampaignResumeApi(APIView):
    @extend_schema(request=None, responses=CampaignOutputSerializer, operation_id="campaigns_resume")
    def post(self, request: ApiRequest, campaign_id: int) -> ApiResponse:
        return _campaign_action(request=request, campaign_id=campaign_id, action="resume")


class CampaignCloseApi(APIView):
    @extend_schema(request=None, responses=CampaignOutputSerializer, operation_id="campaigns_close")
    def post(self, request: ApiRequest, campaign_id: int) -> ApiResponse:
        return _campaign_action(request=request, campaign_id=campaign_id, action="close")


class CampaignProgressApi(APIView):
    @extend_schema(responses=ProgressSerializer, operation_id="campaigns_progress")
    def get(self, request: ApiRequest, campaign_id: int) -> ApiResponse:
        return ApiResponse(campaign_progress(campaign=_campaign(campaign_id)).as_dict())


# --- stages ---------------------------------------------------------------------------------


class CampaignStageListApi(APIView):
    pagination_class = None

    @extend_schema(responses=CampaignStageOutputSerializer(many=True), operation_id="campaign_stages_list")
    def get(self, request: ApiRequest, campaign_id: int) -> ApiResponse:
        return ApiResponse(CampaignStageOutputSerializer(_campaign(campaign_id).stages.all(), many=True).data)

    @extend_schema(
        request=CampaignStageInputSerializer,
        responses={201: CampaignStageOutputSerializer},
        operation_id="campaign_stages_create",
    )
    def post(self, request: ApiRequest, campaign_id: int) -> ApiResponse:
        serializer = CampaignStageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stage = campaigns.campaign_stage_create(
            campaign=_campaign(campaign_id),
            client=request.tenant,
            acting_user=request.user,
            **serializer.validated_data,
        )
        return ApiResponse(CampaignStageOutputSerializer(stage).data, status=status.HTTP_201_CREATED)


class CampaignStageDetailApi(APIView):
    @extend_schema(
        request=CampaignStageInputSerializer(partial=True),
        responses=CampaignStageOutputSerializer,
        operation_id="campaign_stages_partial_update",
    )
    def patch(self, request: ApiRequest, campaign_id: int, stage_id: int) -> ApiResponse:
        stage = get_object_or_404(CampaignStage, pk=stage_id, campaign_id=campaign_id)
        serializer = CampaignStageInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        stage = campaigns.campaign_stage_update(
            stage=stage, client=request.tenant, acting_user=request.user, **serializer.validated_data
        )
        return ApiResponse(CampaignStageOutputSerializer(stage).data)

    @extend_schema(request=None, responses={204: None}, operation_id="campaign_stages_destroy")
    def delete(self, request: ApiRequest, campaign_id: int, stage_id: int) -> ApiResponse:
        stage = get_object_or_404(CampaignStage, pk=stage_id, campaign_id=campaign_id)
        campaigns.campaign_stage_delete(stage=stage, client=request.tenant, acting_user=request.user)
        return ApiResponse(status=status.HTTP_204_NO_CONTENT)


# --- invitations and responses --------------------------------------------------------------


class InvitationListApi(APIView):
    class FilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
        campaign = serializers.IntegerField(required=False)
        state = serializers.ChoiceField(choices=InvitationState.choices, required=False)
        stage = serializers.IntegerField(required=False)

    @extend_schema(
        parameters=[FilterSerializer], responses=InvitationOutputSerializer(many=True), operation_id="invitations_list"
    )
    def get(self, request: ApiRequest) -> ApiResponse:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        rows = campaign_invitations()
        if "campaign" in data:
            rows = rows.filter(campaign_id=data["campaign"])
        if "state" in data:
            rows = rows.filter(state=data["state"])
        if "stage" in data:
            rows = rows.filter(campaign_stage_id=data["stage"])
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(InvitationOutputSerializer(page, many=True).data)


class InvitationDetailApi(APIView):
    @extend_schema(responses=InvitationOutputSerializer, operation_id="invitations_retrieve")
    def get(self, request: ApiRequest, invitation_id: int) -> ApiResponse:
        invitation = get_object_or_404(campaign_invitations(), pk=invitation_id)
        return ApiResponse(InvitationOutputSerializer(invitation).data)


class ResponseListApi(APIView):
    class FilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
        campaign = serializers.IntegerField(required=False)
        status = serializers.ChoiceField(choices=Response.Status.choices, required=False)
        source = serializers.ChoiceField(choices=Response.Source.choices, required=False)  # type: ignore[assignment]

    @extend_schema(
        parameters=[FilterSerializer], responses=ResponseOutputSerializer(many=True), operation_id="responses_list"
    )
    def get(self, request: ApiRequest) -> ApiResponse:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        rows = responses_with_answers()
        if "campaign" in data:
            rows = rows.filter(campaign_id=data["campaign"])
        if "status" in data:
            rows = rows.filter(status=data["status"])
        if "source" in data:
            rows = rows.filter(source=data["source"])
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(ResponseOutputSerializer(page, many=True).data)


class ResponseDetailApi(APIView):
    @extend_schema(responses=ResponseOutputSerializer, operation_id="responses_retrieve")
    def get(self, request: ApiRequest, response_id: int) -> ApiResponse:
        return ApiResponse(ResponseOutputSerializer(get_object_or_404(responses_with_answers(), pk=response_id)).data)


class ResponseImportApi(APIView):
    """Import answers collected elsewhere as completed responses of a launched or closed campaign."""

    parser_classes = [MultiPartParser, FormParser]
    MAX_BYTES = 20 * 1024 * 1024

    class UploadSerializer(serializers.Serializer):  # type: ignore[type-arg]
        file = serializers.FileField(
            help_text="CSV (UTF-8): email (optional), completed_at, external_id (optional), then one column per "
            "item key; SERVQUAL pairs as <key>_E and <key>_P; choices separated by ';'; importance as key=points;…"
        )

    OutputSerializer = inline_serializer(
        name="ResponseImportReport",
        fields={
            "total_rows": serializers.IntegerField(),
            "imported": serializers.IntegerField(),
            "already_imported": serializers.IntegerField(),
            "errors": serializers.ListField(
                child=inline_serializer(
                    name="ResponseImportError",
                    fields={"row": serializers.IntegerField(), "reason": serializers.CharField()},
                )
            ),
        },
    )

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={200: OutputSerializer},
        operation_id="campaign_responses_import",
    )
    def post(self, request: ApiRequest, campaign_id: int) -> ApiResponse:
        serializer = self.UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError({"file": ["The file is larger than 20 MB; split it."]})
        report = answering.responses_import(
            campaign=_campaign(campaign_id), client=request.tenant, acting_user=request.user, content=upload.read()
        )
        return ApiResponse(
            {
                "total_rows": report.total_rows,
                "imported": report.imported,
                "already_imported": report.already_imported,
                "errors": report.errors,
            }
        )


# --- inbound webhook ------------------------------------------------------------------------

SIGNATURE_HEADER = "X-CXGap-Signature"


def webhook_signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class EmailEventApi(APIView):
    """Bounces and complaints from the mail system, signed with EMAIL_WEBHOOK_SECRET.

    Header `X-CXGap-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. Body: one event object or
    a list of them, each {"event_id", "type" (bounced|complained|…), "message_id", "recipient"}.
    Idempotent by event_id.
    """

    authentication_classes: list[Any] = []
    permission_classes = [AllowAnyone]
    throttle_classes: list[Any] = []

    class EventSerializer(serializers.Serializer):  # type: ignore[type-arg]
        event_id = serializers.CharField(max_length=200)
        type = serializers.CharField(max_length=40, help_text="bounced, complained (others are stored only)")
        message_id = serializers.CharField(max_length=255, required=False, allow_blank=True)
        recipient = serializers.CharField(max_length=254, required=False, allow_blank=True)

    @extend_schema(
        request=EventSerializer,
        responses={
            200: inline_serializer(
                name="EmailEventResult",
                fields={"received": serializers.IntegerField(), "new": serializers.IntegerField()},
            )
        },
        operation_id="email_events_create",
        auth=[],
    )
    def post(self, request: ApiRequest) -> ApiResponse:
        secret = settings.EMAIL_WEBHOOK_SECRET
        body = request.body
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not secret or not hmac.compare_digest(given, webhook_signature(body, secret)):
            raise AuthenticationFailed("Missing or wrong signature.")
        try:
            payload = json.loads(body)
        except ValueError as error:
            raise ValidationError({"body": ["Not JSON."]}) from error
        events = payload if isinstance(payload, list) else [payload]
        serializer = self.EventSerializer(data=events, many=True)
        serializer.is_valid(raise_exception=True)
        new = 0
        for event, raw in zip(serializer.validated_data, events, strict=True):
            _event, created = sending.email_event_record(
                client=request.tenant,
                event_id=event["event_id"],
                event_type=event["type"],
                message_id=event.get("message_id", ""),
                recipient=event.get("recipient", ""),
                payload=raw,
            )
            new += int(created)
        return ApiResponse({"received": len(events), "new": new})
