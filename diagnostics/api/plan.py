"""API of the remediation plan: initiatives, status moves, KPI values, comments and history."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import LEADERS_AND_CONSULTANTS
from accounts.requests import ApiRequest
from cxgap_project.api import Pagination
from diagnostics import selectors, services
from diagnostics.api.maps import filters_of, paginated
from diagnostics.api.serializers import (
    InitiativeCommentOutputSerializer,
    InitiativeEventOutputSerializer,
    InitiativeOutputSerializer,
)
from diagnostics.models import Dimension, Initiative, InitiativeStatus, JourneyMap, Pillar, Stage, Touchpoint


class GapLinkInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    stage = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.all(), required=False, allow_null=True, default=None
    )
    touchpoint = serializers.PrimaryKeyRelatedField(
        queryset=Touchpoint.objects.all(), required=False, allow_null=True, default=None
    )
    dimension = serializers.SlugRelatedField(
        slug_field="key", queryset=Dimension.objects.all(), required=False, allow_null=True, default=None
    )


class InitiativeFieldsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    journey_map = serializers.PrimaryKeyRelatedField(queryset=JourneyMap.objects.all(), required=False, allow_null=True)
    pillar = serializers.ChoiceField(choices=Pillar.choices, required=False, allow_blank=True)
    owner_user_id = serializers.IntegerField(required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)
    effort = serializers.IntegerField(min_value=1, max_value=5, required=False)
    impact = serializers.IntegerField(min_value=1, max_value=5, required=False)
    kpi_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kpi_unit = serializers.CharField(max_length=40, required=False, allow_blank=True)
    kpi_baseline = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    kpi_target = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    kpi_metric = serializers.CharField(max_length=120, required=False, allow_blank=True)
    gap_links = GapLinkInputSerializer(many=True, required=False)


def _links(data: dict) -> list[services.GapLinkInput] | None:  # type: ignore[type-arg]
    links = data.pop("gap_links", None)
    return None if links is None else [services.GapLinkInput(**link) for link in links]


class InitiativeListApi(APIView):
    """The plan. Filters: status, owner, overdue, stage, dimension (key), pillar, journey map, search."""

    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
        status = serializers.ChoiceField(choices=InitiativeStatus.choices, required=False)
        owner_user_id = serializers.IntegerField(required=False)
        is_overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
        stage = serializers.IntegerField(required=False)
        dimension = serializers.CharField(required=False)
        pillar = serializers.ChoiceField(choices=Pillar.choices, required=False)
        journey_map = serializers.IntegerField(required=False)
        search = serializers.CharField(required=False)

    class InputSerializer(InitiativeFieldsSerializer):
        title = serializers.CharField(max_length=200)

    @extend_schema(
        parameters=[FilterSerializer], responses=InitiativeOutputSerializer(many=True), operation_id="initiatives_list"
    )
    def get(self, request: ApiRequest) -> Response:
        data = filters_of(request, self.FilterSerializer)
        filters = selectors.InitiativeFilters(
            status=data.get("status", ""),
            owner_user_id=data.get("owner_user_id"),
            is_overdue=data.get("is_overdue"),
            stage_id=data.get("stage"),
            dimension_key=data.get("dimension", ""),
            pillar=data.get("pillar", ""),
            journey_map_id=data.get("journey_map"),
            search=data.get("search", ""),
        )
        return paginated(
            request,
            self,
            selectors.initiatives_filtered(filters=filters),
            InitiativeOutputSerializer,
            today=selectors.today(),
        )

    @extend_schema(
        request=InputSerializer, responses={201: InitiativeOutputSerializer}, operation_id="initiatives_create"
    )
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        initiative = services.initiative_create(
            client=request.tenant, actor=request.user, gap_links=_links(data) or [], **data
        )
        return Response(
            InitiativeOutputSerializer(initiative, context={"today": selectors.today()}).data,
            status=status.HTTP_201_CREATED,
        )


class InitiativeDetailApi(APIView):
    @extend_schema(responses=InitiativeOutputSerializer, operation_id="initiatives_retrieve")
    def get(self, request: ApiRequest, initiative_id: int) -> Response:
        initiative = get_object_or_404(selectors.initiatives_filtered(), pk=initiative_id)
        return Response(InitiativeOutputSerializer(initiative, context={"today": selectors.today()}).data)

    @extend_schema(
        request=InitiativeFieldsSerializer,
        responses=InitiativeOutputSerializer,
        operation_id="initiatives_partial_update",
    )
    def patch(self, request: ApiRequest, initiative_id: int) -> Response:
        initiative = get_object_or_404(Initiative, pk=initiative_id)
        serializer = InitiativeFieldsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        services.initiative_update(
            client=request.tenant, actor=request.user, initiative=initiative, gap_links=_links(data), **data
        )
        fresh = get_object_or_404(selectors.initiatives_filtered(), pk=initiative_id)
        return Response(InitiativeOutputSerializer(fresh, context={"today": selectors.today()}).data)

    @extend_schema(responses={204: None}, operation_id="initiatives_destroy")
    def delete(self, request: ApiRequest, initiative_id: int) -> Response:
        initiative = get_object_or_404(Initiative, pk=initiative_id)
        services.initiative_delete(client=request.tenant, actor=request.user, initiative=initiative)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InitiativeStatusApi(APIView):
    """Move the status (consultants, or the client leader who owns the initiative). Allowed moves:
    proposed → planned → in_progress → done, any open status → dropped, dropped → proposed."""

    write_roles = LEADERS_AND_CONSULTANTS

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        status = serializers.ChoiceField(choices=InitiativeStatus.choices)
        note = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)

    @extend_schema(request=InputSerializer, responses=InitiativeOutputSerializer, operation_id="initiatives_status")
    def post(self, request: ApiRequest, initiative_id: int) -> Response:
        initiative = get_object_or_404(Initiative, pk=initiative_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.initiative_status_change(
            client=request.tenant, actor=request.user, initiative=initiative, **serializer.validated_data
        )
        fresh = get_object_or_404(selectors.initiatives_filtered(), pk=initiative_id)
        return Response(InitiativeOutputSerializer(fresh, context={"today": selectors.today()}).data)


class InitiativeKpiApi(APIView):
    """Record the KPI's current value (consultants, or the owning client leader)."""

    write_roles = LEADERS_AND_CONSULTANTS

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        kpi_current = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)

    @extend_schema(request=InputSerializer, responses=InitiativeOutputSerializer, operation_id="initiatives_kpi")
    def post(self, request: ApiRequest, initiative_id: int) -> Response:
        initiative = get_object_or_404(Initiative, pk=initiative_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.initiative_kpi_update(
            client=request.tenant,
            actor=request.user,
            initiative=initiative,
            value=serializer.validated_data["kpi_current"],
        )
        fresh = get_object_or_404(selectors.initiatives_filtered(), pk=initiative_id)
        return Response(InitiativeOutputSerializer(fresh, context={"today": selectors.today()}).data)


class InitiativeCommentListApi(APIView):
    """Comments; consultants and client leaders may comment on any initiative."""

    pagination_class = Pagination
    write_roles = LEADERS_AND_CONSULTANTS

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        body = serializers.CharField(max_length=5000)

    @extend_schema(responses=InitiativeCommentOutputSerializer(many=True), operation_id="initiatives_comments_list")
    def get(self, request: ApiRequest, initiative_id: int) -> Response:
        initiative = get_object_or_404(Initiative, pk=initiative_id)
        return paginated(
            request, self, initiative.comments.order_by("created_at", "id"), InitiativeCommentOutputSerializer
        )

    @extend_schema(
        request=InputSerializer,
        responses={201: InitiativeCommentOutputSerializer},
        operation_id="initiatives_comments_create",
    )
    def post(self, request: ApiRequest, initiative_id: int) -> Response:
        initiative = get_object_or_404(Initiative, pk=initiative_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.initiative_comment_add(
            client=request.tenant, actor=request.user, initiative=initiative, body=serializer.validated_data["body"]
        )
        return Response(InitiativeCommentOutputSerializer(comment).data, status=status.HTTP_201_CREATED)


class InitiativeEventListApi(APIView):
    """The initiative's history, newest first: who changed what ({field: [old, new]}) and when."""

    pagination_class = Pagination

    @extend_schema(responses=InitiativeEventOutputSerializer(many=True), operation_id="initiatives_events_list")
    def get(self, request: ApiRequest, initiative_id: int) -> Response:
        initiative = get_object_or_404(Initiative, pk=initiative_id)
        return paginated(
            request, self, initiative.events.order_by("-created_at", "-id"), InitiativeEventOutputSerializer
        )


class KpiMetricListApi(APIView):
    """Every report metric a KPI can follow here, with its readable label."""

    pagination_class = None  # a short fixed list, not paginated

    @extend_schema(
        responses=inline_serializer(
            "KpiMetric", {"key": serializers.CharField(), "label": serializers.CharField()}, many=True
        ),
        operation_id="kpi_metrics_list",
    )
    def get(self, request: ApiRequest) -> Response:
        return Response([{"key": key, "label": label} for key, label in selectors.kpi_metric_choices()])
