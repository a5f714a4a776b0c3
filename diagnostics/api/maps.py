"""API of journey maps: maps, personas, stages (with reorder), touchpoints, export and import."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.requests import ApiRequest
from cxgap_project.api import Pagination
from diagnostics import selectors, services
from diagnostics.api.serializers import (
    JourneyMapOutputSerializer,
    PersonaOutputSerializer,
    StageOutputSerializer,
    TouchpointOutputSerializer,
)
from diagnostics.models import EMOTION_MAX, EMOTION_MIN, Channel, JourneyMap, Persona, Stage, Touchpoint


def paginated(
    request: ApiRequest,
    view: APIView,
    queryset: QuerySet[Any],
    serializer: type[serializers.Serializer],
    **context: Any,
) -> Response:  # type: ignore[type-arg]
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True, context=context).data)


def filters_of(request: ApiRequest, filter_serializer: type[serializers.Serializer]) -> dict[str, Any]:  # type: ignore[type-arg]
    serializer = filter_serializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- journey maps -------------------------------------------------------------------------


class JourneyMapListApi(APIView):
    """Journey maps of this client; consultants create them (optionally with the default stages)."""

    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
        is_archived = serializers.BooleanField(required=False, allow_null=True, default=None)
        segment = serializers.CharField(required=False)
        search = serializers.CharField(required=False)

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        name = serializers.CharField(max_length=120)
        segment = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
        description = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
        with_default_stages = serializers.BooleanField(required=False, default=True)

    @extend_schema(
        parameters=[FilterSerializer], responses=JourneyMapOutputSerializer(many=True), operation_id="maps_list"
    )
    def get(self, request: ApiRequest) -> Response:
        filters = filters_of(request, self.FilterSerializer)
        maps = JourneyMap.objects.order_by("name", "id")
        if filters.get("is_archived") is not None:
            maps = maps.filter(is_archived=filters["is_archived"])
        if filters.get("segment"):
            maps = maps.filter(segment__iexact=filters["segment"])
        if filters.get("search"):
            maps = maps.filter(name__icontains=filters["search"])
        return paginated(request, self, maps, JourneyMapOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: JourneyMapOutputSerializer}, operation_id="maps_create")
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        journey_map = services.journey_map_create(
            client=request.tenant, actor=request.user, **serializer.validated_data
        )
        return Response(JourneyMapOutputSerializer(journey_map).data, status=status.HTTP_201_CREATED)


class JourneyMapDetailApi(APIView):
    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        name = serializers.CharField(max_length=120, required=False)
        segment = serializers.CharField(max_length=120, required=False, allow_blank=True)
        description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
        is_archived = serializers.BooleanField(required=False)

    @extend_schema(responses=JourneyMapOutputSerializer, operation_id="maps_retrieve")
    def get(self, request: ApiRequest, map_id: int) -> Response:
        return Response(JourneyMapOutputSerializer(get_object_or_404(JourneyMap, pk=map_id)).data)

    @extend_schema(request=InputSerializer, responses=JourneyMapOutputSerializer, operation_id="maps_partial_update")
    def patch(self, request: ApiRequest, map_id: int) -> Response:
        journey_map = get_object_or_404(JourneyMap, pk=map_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        journey_map = services.journey_map_update(
            client=request.tenant, actor=request.user, journey_map=journey_map, **serializer.validated_data
        )
        return Response(JourneyMapOutputSerializer(journey_map).data)

    @extend_schema(responses={204: None}, operation_id="maps_destroy")
    def delete(self, request: ApiRequest, map_id: int) -> Response:
        journey_map = get_object_or_404(JourneyMap, pk=map_id)
        services.journey_map_delete(client=request.tenant, actor=request.user, journey_map=journey_map)
        return Response(status=status.HTTP_204_NO_CONTENT)


class JourneyMapExportApi(APIView):
    """The map as a versioned JSON document (format `cxgap.journey-map`, version 1) with its latest scores."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, operation_id="maps_export")
    def get(self, request: ApiRequest, map_id: int) -> Response:
        journey_map = get_object_or_404(JourneyMap, pk=map_id)
        return Response(selectors.journey_map_document(journey_map=journey_map))


class JourneyMapImportApi(APIView):
    """Import an exported document into this client. Every problem is reported with its JSON path
    under `extra.fields`; nothing is created unless the whole document is valid."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: JourneyMapOutputSerializer}, operation_id="maps_import")
    def post(self, request: ApiRequest) -> Response:
        journey_map = services.journey_map_import(client=request.tenant, actor=request.user, document=request.data)
        return Response(JourneyMapOutputSerializer(journey_map).data, status=status.HTTP_201_CREATED)


class StageReorderApi(APIView):
    """Put every stage of the map in the given order (ids, first to last)."""

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        stages = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)

    @extend_schema(
        request=InputSerializer, responses=StageOutputSerializer(many=True), operation_id="maps_stages_reorder"
    )
    def post(self, request: ApiRequest, map_id: int) -> Response:
        journey_map = get_object_or_404(JourneyMap, pk=map_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stages = services.stage_reorder(
            client=request.tenant,
            actor=request.user,
            journey_map=journey_map,
            stage_ids=serializer.validated_data["stages"],
        )
        return Response(StageOutputSerializer(stages, many=True).data)


# --- personas -----------------------------------------------------------------------------


class MapFilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
    journey_map = serializers.IntegerField(required=False)


class PersonaListApi(APIView):
    pagination_class = Pagination

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        journey_map = serializers.PrimaryKeyRelatedField(queryset=JourneyMap.objects.all())
        name = serializers.CharField(max_length=120)
        description = serializers.CharField(max_length=3000, required=False, default="", allow_blank=True)
        goals = serializers.CharField(max_length=3000, required=False, default="", allow_blank=True)

    @extend_schema(
        parameters=[MapFilterSerializer], responses=PersonaOutputSerializer(many=True), operation_id="personas_list"
    )
    def get(self, request: ApiRequest) -> Response:
        filters = filters_of(request, MapFilterSerializer)
        personas = Persona.objects.order_by("journey_map_id", "position", "id")
        if filters.get("journey_map"):
            personas = personas.filter(journey_map_id=filters["journey_map"])
        return paginated(request, self, personas, PersonaOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: PersonaOutputSerializer}, operation_id="personas_create")
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        persona = services.persona_create(client=request.tenant, actor=request.user, **serializer.validated_data)
        return Response(PersonaOutputSerializer(persona).data, status=status.HTTP_201_CREATED)


class PersonaDetailApi(APIView):
    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        name = serializers.CharField(max_length=120, required=False)
        description = serializers.CharField(max_length=3000, required=False, allow_blank=True)
        goals = serializers.CharField(max_length=3000, required=False, allow_blank=True)

    @extend_schema(responses=PersonaOutputSerializer, operation_id="personas_retrieve")
    def get(self, request: ApiRequest, persona_id: int) -> Response:
        return Response(PersonaOutputSerializer(get_object_or_404(Persona, pk=persona_id)).data)

    @extend_schema(request=InputSerializer, responses=PersonaOutputSerializer, operation_id="personas_partial_update")
    def patch(self, request: ApiRequest, persona_id: int) -> Response:
        persona = get_object_or_404(Persona, pk=persona_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        persona = services.persona_update(
            client=request.tenant, actor=request.user, persona=persona, **serializer.validated_data
        )
        return Response(PersonaOutputSerializer(persona).data)

    @extend_schema(responses={204: None}, operation_id="personas_destroy")
    def delete(self, request: ApiRequest, persona_id: int) -> Response:
        persona = get_object_or_404(Persona, pk=persona_id)
        services.persona_delete(client=request.tenant, actor=request.user, persona=persona)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- stages -------------------------------------------------------------------------------


class StageListApi(APIView):
    """Stages in journey order. A position already taken in the map is a 400 on `position`."""

    pagination_class = Pagination

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        journey_map = serializers.PrimaryKeyRelatedField(queryset=JourneyMap.objects.all())
        name = serializers.CharField(max_length=120)
        description = serializers.CharField(max_length=3000, required=False, default="", allow_blank=True)
        position = serializers.IntegerField(min_value=0, max_value=32767, required=False, allow_null=True, default=None)

    @extend_schema(
        parameters=[MapFilterSerializer], responses=StageOutputSerializer(many=True), operation_id="stages_list"
    )
    def get(self, request: ApiRequest) -> Response:
        filters = filters_of(request, MapFilterSerializer)
        stages = Stage.objects.order_by("journey_map_id", "position", "id")
        if filters.get("journey_map"):
            stages = stages.filter(journey_map_id=filters["journey_map"])
        return paginated(request, self, stages, StageOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: StageOutputSerializer}, operation_id="stages_create")
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stage = services.stage_create(client=request.tenant, actor=request.user, **serializer.validated_data)
        return Response(StageOutputSerializer(stage).data, status=status.HTTP_201_CREATED)


class StageDetailApi(APIView):
    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        name = serializers.CharField(max_length=120, required=False)
        description = serializers.CharField(max_length=3000, required=False, allow_blank=True)
        position = serializers.IntegerField(min_value=0, max_value=32767, required=False)

    @extend_schema(responses=StageOutputSerializer, operation_id="stages_retrieve")
    def get(self, request: ApiRequest, stage_id: int) -> Response:
        return Response(StageOutputSerializer(get_object_or_404(Stage, pk=stage_id)).data)

    @extend_schema(request=InputSerializer, responses=StageOutputSerializer, operation_id="stages_partial_update")
    def patch(self, request: ApiRequest, stage_id: int) -> Response:
        stage = get_object_or_404(Stage.objects.select_related("journey_map"), pk=stage_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stage = services.stage_update(
            client=request.tenant, actor=request.user, stage=stage, **serializer.validated_data
        )
        return Response(StageOutputSerializer(stage).data)

    @extend_schema(responses={204: None}, operation_id="stages_destroy")
    def delete(self, request: ApiRequest, stage_id: int) -> Response:
        stage = get_object_or_404(Stage, pk=stage_id)
        services.stage_delete(client=request.tenant, actor=request.user, stage=stage)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- touchpoints --------------------------------------------------------------------------


def _emotion() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=EMOTION_MIN, max_value=EMOTION_MAX, required=False, allow_null=True)


class TouchpointFieldsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=120, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    owning_team = serializers.CharField(max_length=120, required=False, allow_blank=True)
    is_moment_of_truth = serializers.BooleanField(required=False)
    description = serializers.CharField(max_length=3000, required=False, allow_blank=True)
    as_is_expected_emotion = _emotion()
    as_is_actual_emotion = _emotion()
    as_is_emotion_note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    to_be_expected_emotion = _emotion()
    to_be_actual_emotion = _emotion()
    to_be_emotion_note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class TouchpointListApi(APIView):
    """Touchpoints in journey order. Emotions are −2..+2; `journey_map`, when sent, must be the stage's map."""

    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
        journey_map = serializers.IntegerField(required=False)
        stage = serializers.IntegerField(required=False)
        channel = serializers.ChoiceField(choices=Channel.choices, required=False)
        is_moment_of_truth = serializers.BooleanField(required=False, allow_null=True, default=None)

    class InputSerializer(TouchpointFieldsSerializer):
        stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all())
        journey_map = serializers.PrimaryKeyRelatedField(queryset=JourneyMap.objects.all(), required=False)
        name = serializers.CharField(max_length=120)

    @extend_schema(
        parameters=[FilterSerializer], responses=TouchpointOutputSerializer(many=True), operation_id="touchpoints_list"
    )
    def get(self, request: ApiRequest) -> Response:
        filters = filters_of(request, self.FilterSerializer)
        touchpoints = Touchpoint.objects.select_related("stage").order_by(
            "stage__journey_map_id", "stage__position", "position", "id"
        )
        if filters.get("journey_map"):
            touchpoints = touchpoints.filter(stage__journey_map_id=filters["journey_map"])
        if filters.get("stage"):
            touchpoints = touchpoints.filter(stage_id=filters["stage"])
        if filters.get("channel"):
            touchpoints = touchpoints.filter(channel=filters["channel"])
        if filters.get("is_moment_of_truth") is not None:
            touchpoints = touchpoints.filter(is_moment_of_truth=filters["is_moment_of_truth"])
        return paginated(request, self, touchpoints, TouchpointOutputSerializer)

    @extend_schema(
        request=InputSerializer, responses={201: TouchpointOutputSerializer}, operation_id="touchpoints_create"
    )
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        touchpoint = services.touchpoint_create(client=request.tenant, actor=request.user, **serializer.validated_data)
        return Response(TouchpointOutputSerializer(touchpoint).data, status=status.HTTP_201_CREATED)


class TouchpointDetailApi(APIView):
    class InputSerializer(TouchpointFieldsSerializer):
        stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all(), required=False)

    @extend_schema(responses=TouchpointOutputSerializer, operation_id="touchpoints_retrieve")
    def get(self, request: ApiRequest, touchpoint_id: int) -> Response:
        touchpoint = get_object_or_404(Touchpoint.objects.select_related("stage"), pk=touchpoint_id)
        return Response(TouchpointOutputSerializer(touchpoint).data)

    @extend_schema(
        request=InputSerializer, responses=TouchpointOutputSerializer, operation_id="touchpoints_partial_update"
    )
    def patch(self, request: ApiRequest, touchpoint_id: int) -> Response:
        touchpoint = get_object_or_404(Touchpoint.objects.select_related("stage"), pk=touchpoint_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        touchpoint = services.touchpoint_update(
            client=request.tenant, actor=request.user, touchpoint=touchpoint, **serializer.validated_data
        )
        return Response(TouchpointOutputSerializer(touchpoint).data)

    @extend_schema(responses={204: None}, operation_id="touchpoints_destroy")
    def delete(self, request: ApiRequest, touchpoint_id: int) -> Response:
        touchpoint = get_object_or_404(Touchpoint, pk=touchpoint_id)
        services.touchpoint_delete(client=request.tenant, actor=request.user, touchpoint=touchpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)
