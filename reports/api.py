"""REST API of gap reports: list, compile, read the snapshot, publish, downloads, compile progress.

The snapshot serializers below describe `GapReport.data` exactly (every cell with `n` and
`suppressed`; suppressed cells have every number null, n included), so the OpenAPI schema documents
what the API returns. Leaders and viewers only ever see compiled, published reports.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import JobOutputSerializer
from accounts.models import BackgroundJob
from accounts.permissions import ALL_ROLES, CONSULTANT_ONLY, request_role
from accounts.requests import ApiRequest
from cxgap_project.api import Pagination
from cxgap_project.errors import NotFoundError
from reports import selectors, services
from reports.gaps import QUADRANT_LABELS
from reports.models import GapReport

# --- the snapshot ------------------------------------------------------------------------------


def _number() -> serializers.FloatField:
    return serializers.FloatField(allow_null=True)


def _count() -> serializers.IntegerField:
    return serializers.IntegerField(allow_null=True, help_text="Respondents (or answers); null when suppressed.")


def _suppressed() -> serializers.BooleanField:
    return serializers.BooleanField(help_text="True when the group is too small to show: all its numbers are null.")


class ReportGapFiguresSerializer(serializers.Serializer):  # type: ignore[type-arg]
    n = _count()
    suppressed = _suppressed()
    mean_expectation = _number()
    mean_perception = _number()
    mean_gap = serializers.FloatField(allow_null=True, help_text="Perception − expectation (negative: shortfall).")
    sd_gap = _number()
    ci_low = serializers.FloatField(allow_null=True, help_text="95% Student's t interval of the mean gap.")
    ci_high = _number()


class ReportNpsCellSerializer(serializers.Serializer):  # type: ignore[type-arg]
    n = _count()
    suppressed = _suppressed()
    nps = _number()
    standard_error = _number()
    ci_low = _number()
    ci_high = _number()
    percent_promoters = _number()
    percent_passives = _number()
    percent_detractors = _number()


class ReportCsatCellSerializer(serializers.Serializer):  # type: ignore[type-arg]
    n = _count()
    suppressed = _suppressed()
    percent_satisfied = serializers.FloatField(allow_null=True, help_text="% of answers 4–5 on 1–5.")
    mean = _number()
    ci_low = serializers.FloatField(allow_null=True, help_text="Wilson 95% interval of percent_satisfied.")
    ci_high = _number()


class ReportCesCellSerializer(serializers.Serializer):  # type: ignore[type-arg]
    n = _count()
    suppressed = _suppressed()
    mean = _number()
    sd = _number()
    ci_low = _number()
    ci_high = _number()


class ReportWeightedGapSerializer(serializers.Serializer):  # type: ignore[type-arg]
    n = _count()
    suppressed = _suppressed()
    score = _number()
    method = serializers.ChoiceField(choices=["weighted", "unweighted"])
    weights = serializers.DictField(child=serializers.FloatField(), help_text="Weight per dimension key.")
    ci_low = _number()
    ci_high = _number()


class ReportIpaSerializer(serializers.Serializer):  # type: ignore[type-arg]
    importance_source = serializers.ChoiceField(choices=["allocation", "expectation"])
    importance_crosshair = _number()
    performance_crosshair = _number()


class ReportOverallSerializer(serializers.Serializer):  # type: ignore[type-arg]
    gap = ReportGapFiguresSerializer(help_text="Unweighted gap over all pairs, per respondent.")
    weighted_gap = ReportWeightedGapSerializer()
    nps = ReportNpsCellSerializer()
    csat = ReportCsatCellSerializer()
    ces = ReportCesCellSerializer()
    ipa = ReportIpaSerializer()


class ReportDimensionCellSerializer(ReportGapFiguresSerializer):
    key = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    importance = serializers.FloatField(allow_null=True, help_text="Mean allocated points (of 100), if asked.")


class ReportStageCellSerializer(ReportGapFiguresSerializer):
    key = serializers.CharField(help_text="Stage uid.")
    name = serializers.CharField()
    position = serializers.IntegerField()
    journey_map = serializers.CharField(allow_null=True)
    nps = ReportNpsCellSerializer(allow_null=True)
    csat = ReportCsatCellSerializer(allow_null=True)
    ces = ReportCesCellSerializer(allow_null=True)


class ReportStageDimensionCellSerializer(ReportGapFiguresSerializer):
    key = serializers.CharField(help_text="<stage uid>:<dimension key>")
    stage = serializers.CharField()
    stage_name = serializers.CharField()
    dimension = serializers.CharField()
    dimension_name = serializers.CharField()


class ReportTouchpointCellSerializer(ReportGapFiguresSerializer):
    key = serializers.CharField(help_text="Touchpoint uid.")
    name = serializers.CharField()
    stage = serializers.CharField(allow_null=True)
    stage_name = serializers.CharField(allow_blank=True)


class ReportItemCellSerializer(ReportGapFiguresSerializer):
    key = serializers.CharField(help_text="Item key, the same across questionnaire versions and the staff mirror.")
    text = serializers.CharField()
    dimension = serializers.CharField(allow_null=True)
    dimension_name = serializers.CharField(allow_blank=True)
    stage = serializers.CharField(allow_null=True)
    stage_name = serializers.CharField(allow_blank=True)
    touchpoint = serializers.CharField(allow_null=True)
    touchpoint_name = serializers.CharField(allow_blank=True)
    importance = _number()
    performance = _number()
    quadrant = serializers.ChoiceField(choices=list(QUADRANT_LABELS), allow_null=True)
    quadrant_label = serializers.CharField(allow_null=True)


class ReportPerceptionFiguresSerializer(serializers.Serializer):  # type: ignore[type-arg]
    n = _count()
    suppressed = _suppressed()
    staff_n = serializers.IntegerField(allow_null=True)
    staff_mean = _number()
    customer_n = serializers.IntegerField(allow_null=True)
    customer_mean = _number()
    gap = serializers.FloatField(allow_null=True, help_text="Staff mean perception − customer mean perception.")


class ReportPerceptionItemSerializer(ReportPerceptionFiguresSerializer):
    key = serializers.CharField()
    text = serializers.CharField()
    dimension = serializers.CharField(allow_null=True)


class ReportPerceptionDimensionSerializer(ReportPerceptionFiguresSerializer):
    key = serializers.CharField()
    name = serializers.CharField()
    item_count = serializers.IntegerField()


class ReportInternalVsCustomerSerializer(serializers.Serializer):  # type: ignore[type-arg]
    by_item = ReportPerceptionItemSerializer(many=True)
    by_dimension = ReportPerceptionDimensionSerializer(many=True)


class ReportDiagnosedCellSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    stage = serializers.CharField()
    stage_name = serializers.CharField()
    dimension = serializers.CharField()
    dimension_name = serializers.CharField()
    n = _count()
    suppressed = serializers.BooleanField(help_text="The measured part is hidden; workshop scores stay.")
    baseline = _number()
    target = _number()
    measured = _number()
    diagnosed_gap = _number()
    measured_change = _number()
    remaining_gap = _number()


class ReportWavePointSerializer(serializers.Serializer):  # type: ignore[type-arg]
    wave = serializers.IntegerField()
    n = _count()
    suppressed = _suppressed()
    mean_gap = _number()
    ci_low = _number()
    ci_high = _number()
    nps = _number()
    nps_n = serializers.IntegerField(allow_null=True)
    nps_suppressed = serializers.BooleanField()


class ReportDimensionWavePointSerializer(serializers.Serializer):  # type: ignore[type-arg]
    wave = serializers.IntegerField()
    n = _count()
    suppressed = _suppressed()
    mean_gap = _number()


class ReportDimensionTrendSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    name = serializers.CharField()
    points = ReportDimensionWavePointSerializer(many=True)


class ReportWaveChangeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    name = serializers.CharField()
    from_wave = serializers.IntegerField()
    to_wave = serializers.IntegerField()
    n = _count()
    suppressed = _suppressed()
    earlier_n = serializers.IntegerField(allow_null=True)
    earlier_mean = _number()
    later_n = serializers.IntegerField(allow_null=True)
    later_mean = _number()
    change = _number()
    p_value = serializers.FloatField(allow_null=True, help_text="Welch's t-test.")
    direction = serializers.ChoiceField(choices=["improved", "worsened", "no_significant_change"], allow_null=True)


class ReportWavesSerializer(serializers.Serializer):  # type: ignore[type-arg]
    waves = serializers.ListField(child=serializers.IntegerField())
    trend = ReportWavePointSerializer(many=True)
    trend_by_dimension = ReportDimensionTrendSerializer(many=True)
    by_dimension = ReportWaveChangeSerializer(many=True)
    by_stage = ReportWaveChangeSerializer(many=True)


class ReportMetaCampaignSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    name = serializers.CharField()
    audience = serializers.CharField()
    wave = serializers.IntegerField()
    questionnaire = serializers.CharField()
    respondents = serializers.IntegerField(allow_null=True)
    suppressed = _suppressed()


class ReportMetaWaveSerializer(serializers.Serializer):  # type: ignore[type-arg]
    audience = serializers.CharField()
    wave = serializers.IntegerField()
    campaign_ids = serializers.ListField(child=serializers.IntegerField())
    respondents = serializers.IntegerField(allow_null=True)
    suppressed = _suppressed()
    is_current = serializers.BooleanField()


class ReportMetaAssessmentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    name = serializers.CharField()
    held_on = serializers.DateField()
    journey_map = serializers.CharField(allow_null=True)


class ReportNamedSerializer(serializers.Serializer):  # type: ignore[type-arg]
    uid = serializers.CharField()
    name = serializers.CharField()


class ReportMetaDimensionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


class ReportMetaStageSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    name = serializers.CharField()
    position = serializers.IntegerField()


class ReportMetaSerializer(serializers.Serializer):  # type: ignore[type-arg]
    version = serializers.IntegerField()
    title = serializers.CharField()
    compiled_at = serializers.DateTimeField()
    threshold = serializers.IntegerField(help_text="Groups with fewer respondents than this are suppressed.")
    campaigns = ReportMetaCampaignSerializer(many=True)
    waves = ReportMetaWaveSerializer(many=True)
    current_wave = serializers.IntegerField(allow_null=True)
    staff_wave = serializers.IntegerField(allow_null=True)
    assessment = ReportMetaAssessmentSerializer(allow_null=True)
    journey_maps = ReportNamedSerializer(many=True)
    journey_map_uids = serializers.ListField(child=serializers.CharField())
    question_counts = serializers.DictField(child=serializers.IntegerField())
    importance_asked = serializers.BooleanField()
    importance_shown = serializers.BooleanField()
    dimensions = ReportMetaDimensionSerializer(many=True)
    stages = ReportMetaStageSerializer(many=True)


class ReportSnapshotSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The compiled numbers of a report, already suppressed."""

    meta = ReportMetaSerializer()
    overall = ReportOverallSerializer()
    by_dimension = ReportDimensionCellSerializer(many=True)
    by_stage = ReportStageCellSerializer(many=True)
    by_stage_dimension = ReportStageDimensionCellSerializer(many=True)
    by_touchpoint = ReportTouchpointCellSerializer(many=True)
    by_item = ReportItemCellSerializer(many=True)
    internal_vs_customer = ReportInternalVsCustomerSerializer()
    diagnosed_vs_measured = ReportDiagnosedCellSerializer(many=True)
    waves = ReportWavesSerializer()


# --- reports -------------------------------------------------------------------------------------


class ReportSummarySerializer(serializers.Serializer):  # type: ignore[type-arg]
    uid = serializers.UUIDField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=GapReport.Status.choices)
    is_published = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    compiled_at = serializers.DateTimeField(allow_null=True)
    threshold = serializers.IntegerField()
    error = serializers.CharField(allow_blank=True)
    job_id = serializers.UUIDField(allow_null=True)
    assessment_id = serializers.IntegerField(allow_null=True)


class ReportBenchmarkSerializer(serializers.Serializer):  # type: ignore[type-arg]
    metric = serializers.CharField()
    name = serializers.CharField()
    value = serializers.FloatField()
    percentile = serializers.IntegerField(help_text="Approximate percentile among contributing clients.")
    contributors = serializers.IntegerField()
    median = serializers.FloatField()


class ReportDetailSerializer(ReportSummarySerializer):
    campaign_ids = serializers.ListField(child=serializers.IntegerField())
    # DRF moves declared fields off the class, so this does not shadow Serializer.data.
    data = ReportSnapshotSerializer(allow_null=True, help_text="Null until the report is compiled.")  # type: ignore[assignment]
    benchmarks = ReportBenchmarkSerializer(many=True)


def _summary(report: GapReport) -> dict[str, Any]:
    return {
        "uid": report.uid,
        "title": report.title,
        "status": report.status,
        "is_published": report.is_published,
        "published_at": report.published_at,
        "created_at": report.created_at,
        "compiled_at": report.compiled_at,
        "threshold": report.threshold,
        "error": report.error,
        "job_id": report.job_id,
        "assessment_id": report.assessment_id,
    }


def _report(request: Request, uid: Any, *, with_snapshot: bool = False) -> GapReport:
    return selectors.report_for_role(role=request_role(request), uid=uid, with_snapshot=with_snapshot)


class ReportListApi(APIView):
    """Reports this user may see: every report for consultants, compiled published ones for others."""

    read_roles = ALL_ROLES

    @extend_schema_serializer(component_name="ReportListFilter")
    class FilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
        status = serializers.ChoiceField(choices=GapReport.Status.choices, required=False)
        is_published = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(parameters=[FilterSerializer], responses=ReportSummarySerializer(many=True))
    def get(self, request: ApiRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        reports = selectors.reports_for_role(role=request_role(request)).order_by("-created_at", "-id")
        if filters.validated_data.get("status"):
            reports = reports.filter(status=filters.validated_data["status"])
        if filters.validated_data.get("is_published") is not None:
            reports = reports.filter(is_published=filters.validated_data["is_published"])
        paginator = Pagination()
        page = paginator.paginate_queryset(reports, request, view=self)
        return paginator.get_paginated_response(
            ReportSummarySerializer([_summary(report) for report in page or []], many=True).data
        )


class ReportCompileApi(APIView):
    """Start compiling a new report; poll `/reports/<uid>/job/` for its progress."""

    write_roles = CONSULTANT_ONLY

    @extend_schema_serializer(component_name="ReportCompileInput")
    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        title = serializers.CharField(max_length=200)
        campaign_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False)
        assessment_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)

    @extend_schema(request=InputSerializer, responses={202: ReportSummarySerializer})
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_compile_start(
            client=request.tenant,
            acting_user=request.user,
            title=serializer.validated_data["title"],
            campaign_ids=serializer.validated_data["campaign_ids"],
            assessment_id=serializer.validated_data.get("assessment_id"),
        )
        return Response(ReportSummarySerializer(_summary(report)).data, status=status.HTTP_202_ACCEPTED)


class ReportDetailApi(APIView):
    """A report's metadata and, once compiled, its snapshot and benchmark positions."""

    read_roles = ALL_ROLES

    @extend_schema(responses=ReportDetailSerializer)
    def get(self, request: ApiRequest, uid: Any) -> Response:
        report = _report(request, uid, with_snapshot=True)
        is_ready = report.status == GapReport.Status.READY
        payload = {
            **_summary(report),
            "campaign_ids": sorted(report.campaigns.values_list("pk", flat=True)),
            "data": report.data if is_ready else None,
            "benchmarks": selectors.benchmark_positions(data=report.data) if is_ready else [],
        }
        return Response(ReportDetailSerializer(payload).data)


class ReportPublishApi(APIView):
    """Publish a compiled report to the client's leaders and viewers."""

    @extend_schema(request=None, responses=ReportSummarySerializer)
    def post(self, request: ApiRequest, uid: Any) -> Response:
        report = services.report_publish(client=request.tenant, acting_user=request.user, report=_report(request, uid))
        return Response(ReportSummarySerializer(_summary(report)).data)


class ReportUnpublishApi(APIView):
    """Hide a report from leaders and viewers again."""

    @extend_schema(request=None, responses=ReportSummarySerializer)
    def post(self, request: ApiRequest, uid: Any) -> Response:
        report = services.report_unpublish(
            client=request.tenant, acting_user=request.user, report=_report(request, uid)
        )
        return Response(ReportSummarySerializer(_summary(report)).data)


class ReportRecompileApi(APIView):
    """Compile a new report from the same campaigns and assessment (the old one never changes)."""

    @extend_schema(request=None, responses={202: ReportSummarySerializer})
    def post(self, request: ApiRequest, uid: Any) -> Response:
        report = services.report_recompile(
            client=request.tenant, acting_user=request.user, report=_report(request, uid)
        )
        return Response(ReportSummarySerializer(_summary(report)).data, status=status.HTTP_202_ACCEPTED)


class ReportRetryApi(APIView):
    """Compile a failed report again."""

    @extend_schema(request=None, responses={202: ReportSummarySerializer})
    def post(self, request: ApiRequest, uid: Any) -> Response:
        report = services.report_compile_retry(
            client=request.tenant, acting_user=request.user, report=_report(request, uid)
        )
        return Response(ReportSummarySerializer(_summary(report)).data, status=status.HTTP_202_ACCEPTED)


class ReportDownloadsApi(APIView):
    """Links to the board pack and table exports; each link checks membership when followed."""

    pagination_class = None  # a handful of links, not paginated
    read_roles = ALL_ROLES

    @extend_schema_serializer(component_name="ReportDownload")
    class OutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        kind = serializers.CharField()
        label = serializers.CharField()  # type: ignore[assignment]
        url = serializers.URLField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: ApiRequest, uid: Any) -> Response:
        report = _report(request, uid)
        if report.status != GapReport.Status.READY:
            raise NotFoundError("The report is not compiled yet.")
        links = [
            {
                "kind": slug,
                "label": str(kind.label),
                "url": request.build_absolute_uri(reverse("reports:report_download", args=[report.uid, slug])),
            }
            for slug, kind in services.DOWNLOAD_KINDS.items()
        ]
        return Response(self.OutputSerializer(links, many=True).data)


class ReportJobApi(APIView):
    """Progress of the report's compile (the background job behind its progress bar)."""

    read_roles = ALL_ROLES

    @extend_schema(responses=JobOutputSerializer)
    def get(self, request: ApiRequest, uid: Any) -> Response:
        report = _report(request, uid)
        job = BackgroundJob.objects.filter(pk=report.job_id, client=request.tenant).first() if report.job_id else None
        if job is None:
            raise NotFoundError("This report has no compile job.")
        return Response(JobOutputSerializer(job).data)
