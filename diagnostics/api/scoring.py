"""API of scoring: quality dimensions, assessments, score grids (bulk upsert) and the diagnosed gap."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.requests import ApiRequest
from cxgap_project.api import Pagination
from diagnostics import selectors, services
from diagnostics.api.maps import MapFilterSerializer, filters_of, paginated
from diagnostics.api.serializers import (
    AssessmentOutputSerializer,
    DimensionOutputSerializer,
    GapCellOutputSerializer,
    ScoreOutputSerializer,
    gap_cell_payload,
)
from diagnostics.diagnosed_gaps import gap_label
from diagnostics.models import (
    SCORE_MAX,
    SCORE_MIN,
    Assessment,
    Dimension,
    JourneyMap,
    Perspective,
    Score,
    Stage,
    Touchpoint,
)

# --- dimensions ---------------------------------------------------------------------------


class DimensionListApi(APIView):
    """SERVQUAL's five and custom dimensions; consultants add custom ones."""

    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
        kind = serializers.ChoiceField(choices=Dimension.Kind.choices, required=False)
        is_hidden = serializers.BooleanField(required=False, allow_null=True, default=None)

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        name = serializers.CharField(max_length=120)
        key = serializers.SlugField(max_length=60, required=False, default="", allow_blank=True)
        definition = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
        is_hidden = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        parameters=[FilterSerializer], responses=DimensionOutputSerializer(many=True), operation_id="dimensions_list"
    )
    def get(self, request: ApiRequest) -> Response:
        filters = filters_of(request, self.FilterSerializer)
        dimensions = Dimension.objects.order_by("position", "id")
        if filters.get("kind"):
            dimensions = dimensions.filter(kind=filters["kind"])
        if filters.get("is_hidden") is not None:
            dimensions = dimensions.filter(is_hidden=filters["is_hidden"])
        return paginated(request, self, dimensions, DimensionOutputSerializer)

    @extend_schema(
        request=InputSerializer, responses={201: DimensionOutputSerializer}, operation_id="dimensions_create"
    )
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dimension = services.dimension_create(client=request.tenant, actor=request.user, **serializer.validated_data)
        return Response(DimensionOutputSerializer(dimension).data, status=status.HTTP_201_CREATED)


class DimensionDetailApi(APIView):
    """Rename, hide or show a dimension; only unused custom dimensions can be deleted (409 otherwise)."""

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        name = serializers.CharField(max_length=120, required=False)
        definition = serializers.CharField(max_length=2000, required=False, allow_blank=True)
        is_hidden = serializers.BooleanField(required=False)
        position = serializers.IntegerField(min_value=0, max_value=32767, required=False)

    @extend_schema(responses=DimensionOutputSerializer, operation_id="dimensions_retrieve")
    def get(self, request: ApiRequest, dimension_id: int) -> Response:
        return Response(DimensionOutputSerializer(get_object_or_404(Dimension, pk=dimension_id)).data)

    @extend_schema(
        request=InputSerializer, responses=DimensionOutputSerializer, operation_id="dimensions_partial_update"
    )
    def patch(self, request: ApiRequest, dimension_id: int) -> Response:
        dimension = get_object_or_404(Dimension, pk=dimension_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dimension = services.dimension_update(
            client=request.tenant, actor=request.user, dimension=dimension, **serializer.validated_data
        )
        return Response(DimensionOutputSerializer(dimension).data)

    @extend_schema(responses={204: None}, operation_id="dimensions_destroy")
    def delete(self, request: ApiRequest, dimension_id: int) -> Response:
        dimension = get_object_or_404(Dimension, pk=dimension_id)
        services.dimension_delete(client=request.tenant, actor=request.user, dimension=dimension)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- assessments --------------------------------------------------------------------------


class AssessmentListApi(APIView):
    pagination_class = Pagination

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        journey_map = serializers.PrimaryKeyRelatedField(queryset=JourneyMap.objects.all())
        name = serializers.CharField(max_length=120)
        held_on = serializers.DateField()
        notes = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)

    @extend_schema(
        parameters=[MapFilterSerializer],
        responses=AssessmentOutputSerializer(many=True),
        operation_id="assessments_list",
    )
    def get(self, request: ApiRequest) -> Response:
        filters = filters_of(request, MapFilterSerializer)
        assessments = Assessment.objects.order_by("-held_on", "-id")
        if filters.get("journey_map"):
            assessments = assessments.filter(journey_map_id=filters["journey_map"])
        return paginated(request, self, assessments, AssessmentOutputSerializer)

    @extend_schema(
        request=InputSerializer, responses={201: AssessmentOutputSerializer}, operation_id="assessments_create"
    )
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = services.assessment_create(client=request.tenant, actor=request.user, **serializer.validated_data)
        return Response(AssessmentOutputSerializer(assessment).data, status=status.HTTP_201_CREATED)


class AssessmentDetailApi(APIView):
    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        name = serializers.CharField(max_length=120, required=False)
        held_on = serializers.DateField(required=False)
        notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)

    @extend_schema(responses=AssessmentOutputSerializer, operation_id="assessments_retrieve")
    def get(self, request: ApiRequest, assessment_id: int) -> Response:
        return Response(AssessmentOutputSerializer(get_object_or_404(Assessment, pk=assessment_id)).data)

    @extend_schema(
        request=InputSerializer, responses=AssessmentOutputSerializer, operation_id="assessments_partial_update"
    )
    def patch(self, request: ApiRequest, assessment_id: int) -> Response:
        assessment = get_object_or_404(Assessment, pk=assessment_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = services.assessment_update(
            client=request.tenant, actor=request.user, assessment=assessment, **serializer.validated_data
        )
        return Response(AssessmentOutputSerializer(assessment).data)

    @extend_schema(responses={204: None}, operation_id="assessments_destroy")
    def delete(self, request: ApiRequest, assessment_id: int) -> Response:
        assessment = get_object_or_404(Assessment, pk=assessment_id)
        services.assessment_delete(client=request.tenant, actor=request.user, assessment=assessment)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- scores -------------------------------------------------------------------------------


class ScoreCellSerializer(serializers.Serializer):  # type: ignore[type-arg]
    stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all())
    touchpoint = serializers.PrimaryKeyRelatedField(queryset=Touchpoint.objects.all(), required=False, allow_null=True)
    dimension = serializers.SlugRelatedField(slug_field="key", queryset=Dimension.objects.all())
    value = serializers.IntegerField(min_value=SCORE_MIN, max_value=SCORE_MAX, allow_null=True)
    rationale = serializers.CharField(max_length=3000, required=False, default="", allow_blank=True)


class ScoreListApi(APIView):
    """Scores of an assessment. PUT upserts a grid of one perspective: all cells valid or nothing is
    saved (errors name `cells[i].value` etc.); a null value clears the cell."""

    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
        perspective = serializers.ChoiceField(choices=Perspective.choices, required=False)
        stage = serializers.IntegerField(required=False)
        dimension = serializers.CharField(required=False)
        level = serializers.ChoiceField(choices=[("stage", "stage"), ("touchpoint", "touchpoint")], required=False)

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        perspective = serializers.ChoiceField(choices=Perspective.choices)
        cells = ScoreCellSerializer(many=True, allow_empty=False)

    @extend_schema(
        parameters=[FilterSerializer],
        responses=ScoreOutputSerializer(many=True),
        operation_id="assessments_scores_list",
    )
    def get(self, request: ApiRequest, assessment_id: int) -> Response:
        assessment = get_object_or_404(Assessment, pk=assessment_id)
        filters = filters_of(request, self.FilterSerializer)
        scores = (
            Score.objects.filter(assessment=assessment)
            .select_related("dimension")
            .order_by("stage__position", "touchpoint_id", "dimension__position", "perspective")
        )
        if filters.get("perspective"):
            scores = scores.filter(perspective=filters["perspective"])
        if filters.get("stage"):
            scores = scores.filter(stage_id=filters["stage"])
        if filters.get("dimension"):
            scores = scores.filter(dimension__key=filters["dimension"])
        if filters.get("level"):
            scores = scores.filter(touchpoint__isnull=filters["level"] == "stage")
        return paginated(request, self, scores, ScoreOutputSerializer)

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer(
            "ScoreGridSaved", {"saved": serializers.IntegerField(), "cleared": serializers.IntegerField()}
        ),
        operation_id="assessments_scores_upsert",
    )
    def put(self, request: ApiRequest, assessment_id: int) -> Response:
        assessment = get_object_or_404(Assessment, pk=assessment_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cells = [services.ScoreCellInput(**cell) for cell in serializer.validated_data["cells"]]
        result = services.score_grid_save(
            client=request.tenant,
            actor=request.user,
            assessment=assessment,
            perspective=serializer.validated_data["perspective"],
            cells=cells,
        )
        return Response({"saved": result.saved, "cleared": result.cleared})


class AssessmentGapApi(APIView):
    """The diagnosed gap: target − baseline and internal − baseline per stage × visible dimension,
    biggest gaps first."""

    @extend_schema(responses=GapCellOutputSerializer(many=True), operation_id="assessments_gaps")
    def get(self, request: ApiRequest, assessment_id: int) -> Response:
        assessment = get_object_or_404(Assessment, pk=assessment_id)
        heatmap = selectors.gap_heatmap(assessment=assessment, limit=10_000)
        payload = [
            gap_cell_payload(
                stage_id=ranked.stage.pk,
                dimension_key=ranked.dimension.key,
                cell=ranked.gap,
                label=gap_label(ranked.gap.target_gap),
            )
            for ranked in heatmap.biggest
        ]
        return Response(GapCellOutputSerializer(payload, many=True).data)
