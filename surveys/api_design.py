"""REST API of the design half: questionnaires, pages and questions, respondents, imports, opt-outs.

One APIView per operation; every member reads (imports: consultants only), consultants write.
Views call services and selectors only. Objects are looked up inside the client's schema, so an
id of another client is simply not found (404).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import BackgroundJob
from accounts.permissions import CONSULTANT_ONLY
from accounts.requests import ApiRequest
from cxgap_project.api import Pagination
from diagnostics.models import Dimension, JourneyMap, Stage, Touchpoint
from surveys import question_library
from surveys.importers import MAX_FILE_BYTES
from surveys.models import (
    Audience,
    OptOut,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionPage,
    Respondent,
    RespondentImport,
)
from surveys.selectors import questionnaires as questionnaire_selectors
from surveys.selectors import respondents as respondent_selectors
from surveys.services import questionnaires as questionnaire_services
from surveys.services import respondents as respondent_services

TEMPLATE_KEYS = list(question_library.TEMPLATE_KEYS)
GENERATED_KINDS = [str(kind) for kind in questionnaire_services.GENERATED_KINDS]


def _paginated(request: Request, view: APIView, items: Any, serializer: Any) -> Response:
    paginator = Pagination()
    page: Any = paginator.paginate_queryset(items, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


# --- output shapes --------------------------------------------------------------------------


class QuestionOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    dimension = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)  # type: ignore[var-annotated]
    scale_min = serializers.SerializerMethodField(help_text="Lowest answer of a rating question.")
    scale_max = serializers.SerializerMethodField(help_text="Highest answer of a rating question.")

    class Meta:
        model = Question
        fields = [
            "id",
            "questionnaire",
            "page",
            "position",
            "item_key",
            "kind",
            "text",
            "expectation_text",
            "help_text",
            "is_required",
            "scale_points",
            "scale_min",
            "scale_max",
            "scale_min_label",
            "scale_max_label",
            "options",
            "stage",
            "touchpoint",
            "dimension",
        ]

    def get_scale_min(self, question: Question) -> int | None:
        return question.scale_range[0] if question.scale_range else None

    def get_scale_max(self, question: Question) -> int | None:
        return question.scale_range[1] if question.scale_range else None


class QuestionPageOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    questions = QuestionOutputSerializer(many=True, read_only=True)

    class Meta:
        model = QuestionPage
        fields = ["id", "questionnaire", "key", "position", "title", "description", "questions"]


QUESTIONNAIRE_FIELDS = [
    "id",
    "family_uid",
    "version",
    "name",
    "audience",
    "journey_map",
    "is_frozen",
    "mirror_of_family_uid",
    "created_at",
    "updated_at",
]


class QuestionnaireListItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    question_count = serializers.IntegerField(read_only=True)
    campaign_count = serializers.IntegerField(read_only=True, help_text="Campaigns using any version.")

    class Meta:
        model = Questionnaire
        fields = [*QUESTIONNAIRE_FIELDS, "question_count", "campaign_count"]


class QuestionnaireVersionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    campaign_count = serializers.IntegerField(read_only=True, help_text="Campaigns using this version.")

    class Meta:
        model = Questionnaire
        fields = [*QUESTIONNAIRE_FIELDS, "campaign_count"]


class QuestionnaireDetailSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    pages = serializers.SerializerMethodField()

    class Meta:
        model = Questionnaire
        fields = [*QUESTIONNAIRE_FIELDS, "intro_text", "thank_you_text", "pages"]

    @extend_schema_field(QuestionPageOutputSerializer(many=True))
    def get_pages(self, questionnaire: Questionnaire) -> list[Any]:
        pages = questionnaire_selectors.questionnaire_pages(questionnaire=questionnaire)
        return list(QuestionPageOutputSerializer(pages, many=True).data)


def _detail(questionnaire: Questionnaire, *, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(QuestionnaireDetailSerializer(questionnaire).data, status=status_code)


class QuestionInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A question's settings. Links by id (stage, touchpoint) and by key (dimension) of this client."""

    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField(max_length=500, allow_blank=True)
    expectation_text = serializers.CharField(max_length=500, required=False, allow_blank=True)
    help_text = serializers.CharField(max_length=500, required=False, allow_blank=True)  # type: ignore[assignment]
    is_required = serializers.BooleanField(required=False)
    scale_points = serializers.IntegerField(required=False, allow_null=True, help_text="Likert: 5 or 7.")
    scale_min_label = serializers.CharField(max_length=80, required=False, allow_blank=True)
    scale_max_label = serializers.CharField(max_length=80, required=False, allow_blank=True)
    options = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        required=False,
        help_text="Choice questions: 2–20 labels. Importance questions: dimension keys (empty: all visible).",
    )
    stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all(), required=False, allow_null=True)
    touchpoint = serializers.PrimaryKeyRelatedField(queryset=Touchpoint.objects.all(), required=False, allow_null=True)
    dimension = serializers.SlugRelatedField(
        slug_field="key", queryset=Dimension.objects.all(), required=False, allow_null=True
    )
    item_key = serializers.CharField(max_length=40, required=False, allow_blank=True)


# --- questionnaires -------------------------------------------------------------------------


class QuestionnaireListApi(APIView):
    """Questionnaires (newest version of each); consultants create a blank one."""

    class FilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
        audience = serializers.ChoiceField(choices=Audience.choices, required=False)
        search = serializers.CharField(max_length=100, required=False)

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        name = serializers.CharField(max_length=200)
        audience = serializers.ChoiceField(choices=Audience.choices, default=Audience.CUSTOMERS)
        journey_map = serializers.PrimaryKeyRelatedField(
            queryset=JourneyMap.objects.all(), required=False, allow_null=True
        )
        intro_text = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
        thank_you_text = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")

    @extend_schema(
        parameters=[FilterSerializer],
        responses=QuestionnaireListItemSerializer(many=True),
        operation_id="questionnaires_list",
    )
    def get(self, request: ApiRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        questionnaires = questionnaire_selectors.questionnaire_list(**filters.validated_data)
        return _paginated(request, self, questionnaires, QuestionnaireListItemSerializer)

    @extend_schema(
        request=InputSerializer, responses={201: QuestionnaireDetailSerializer}, operation_id="questionnaires_create"
    )
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        questionnaire = questionnaire_services.questionnaire_create(
            client=request.tenant, acting_user=request.user, **serializer.validated_data
        )
        return _detail(questionnaire, status_code=status.HTTP_201_CREATED)


class QuestionnaireFromTemplateApi(APIView):
    """Create from the library: SERVQUAL (22 items), NPS, CSAT, CES or all three (pulse)."""

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        template = serializers.ChoiceField(choices=TEMPLATE_KEYS)
        name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        audience = serializers.ChoiceField(choices=Audience.choices, default=Audience.CUSTOMERS)
        company = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
        industry = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
        include_importance = serializers.BooleanField(required=False, default=False)
        journey_map = serializers.PrimaryKeyRelatedField(
            queryset=JourneyMap.objects.all(), required=False, allow_null=True, default=None
        )

    @extend_schema(
        request=InputSerializer,
        responses={201: QuestionnaireDetailSerializer},
        operation_id="questionnaires_from_template",
    )
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        questionnaire = questionnaire_services.questionnaire_create_from_template(
            client=request.tenant, acting_user=request.user, **serializer.validated_data
        )
        return _detail(questionnaire, status_code=status.HTTP_201_CREATED)


class QuestionnaireFromJourneyMapApi(APIView):
    """Generate from a journey map: a page per stage, a question per touchpoint (optionally NPS last)."""

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        journey_map = serializers.PrimaryKeyRelatedField(queryset=JourneyMap.objects.all())
        name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        question_kind = serializers.ChoiceField(choices=GENERATED_KINDS, default=QuestionKind.CSAT)
        dimension = serializers.SlugRelatedField(
            slug_field="key", queryset=Dimension.objects.all(), required=False, allow_null=True, default=None
        )
        include_nps = serializers.BooleanField(required=False, default=True)

    @extend_schema(
        request=InputSerializer,
        responses={201: QuestionnaireDetailSerializer},
        operation_id="questionnaires_from_journey_map",
    )
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        questionnaire = questionnaire_services.questionnaire_generate_from_journey_map(
            client=request.tenant, acting_user=request.user, **serializer.validated_data
        )
        return _detail(questionnaire, status_code=status.HTTP_201_CREATED)


class QuestionnaireDetailApi(APIView):
    """One version with its pages and questions. Changing a frozen version changes the next draft
    version instead (the response is that version: compare its `id` and `version`)."""

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        name = serializers.CharField(max_length=200, required=False)
        audience = serializers.ChoiceField(choices=Audience.choices, required=False)
        journey_map = serializers.PrimaryKeyRelatedField(
            queryset=JourneyMap.objects.all(), required=False, allow_null=True
        )
        intro_text = serializers.CharField(max_length=5000, required=False, allow_blank=True)
        thank_you_text = serializers.CharField(max_length=5000, required=False, allow_blank=True)

    @extend_schema(responses=QuestionnaireDetailSerializer, operation_id="questionnaires_retrieve")
    def get(self, request: ApiRequest, questionnaire_id: int) -> Response:
        return _detail(questionnaire_selectors.questionnaire_get(questionnaire_id=questionnaire_id))

    @extend_schema(
        request=InputSerializer, responses=QuestionnaireDetailSerializer, operation_id="questionnaires_partial_update"
    )
    def patch(self, request: ApiRequest, questionnaire_id: int) -> Response:
        questionnaire = questionnaire_selectors.questionnaire_get(questionnaire_id=questionnaire_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        edited = questionnaire_services.questionnaire_update(
            client=request.tenant, acting_user=request.user, questionnaire=questionnaire, **serializer.validated_data
        )
        return _detail(edited)

    @extend_schema(responses={204: None, 409: OpenApiResponse(description="Frozen or used by a campaign.")})
    def delete(self, request: ApiRequest, questionnaire_id: int) -> Response:
        questionnaire = questionnaire_selectors.questionnaire_get(questionnaire_id=questionnaire_id)
        questionnaire_services.questionnaire_delete(
            client=request.tenant, acting_user=request.user, questionnaire=questionnaire
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuestionnaireStaffMirrorApi(APIView):
    """Create the staff mirror of a customer questionnaire: the same item keys, worded for employees."""

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    @extend_schema(
        request=InputSerializer,
        responses={201: QuestionnaireDetailSerializer},
        operation_id="questionnaires_staff_mirror",
    )
    def post(self, request: ApiRequest, questionnaire_id: int) -> Response:
        questionnaire = questionnaire_selectors.questionnaire_get(questionnaire_id=questionnaire_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        mirror = questionnaire_services.questionnaire_create_staff_mirror(
            client=request.tenant, acting_user=request.user, questionnaire=questionnaire, **serializer.validated_data
        )
        return _detail(mirror, status_code=status.HTTP_201_CREATED)


class QuestionnaireVersionListApi(APIView):
    """Every version of this questionnaire's family, oldest first."""

    pagination_class = None

    @extend_schema(responses=QuestionnaireVersionSerializer(many=True), operation_id="questionnaires_versions")
    def get(self, request: ApiRequest, questionnaire_id: int) -> Response:
        questionnaire = questionnaire_selectors.questionnaire_get(questionnaire_id=questionnaire_id)
        versions = questionnaire_selectors.questionnaire_versions(questionnaire=questionnaire)
        return Response(QuestionnaireVersionSerializer(versions, many=True).data)


class QuestionnaireNewVersionApi(APIView):
    """The version edits go to: this one while a draft (200), else the next draft version (201 when created)."""

    @extend_schema(
        request=None,
        responses={200: QuestionnaireDetailSerializer, 201: QuestionnaireDetailSerializer},
        operation_id="questionnaires_edit_target",
    )
    def post(self, request: ApiRequest, questionnaire_id: int) -> Response:
        questionnaire = questionnaire_selectors.questionnaire_get(questionnaire_id=questionnaire_id)
        versions_before = questionnaire_selectors.questionnaire_versions(questionnaire=questionnaire).count()
        target = questionnaire_services.questionnaire_edit_target(questionnaire=questionnaire, acting_user=request.user)
        created = questionnaire_selectors.questionnaire_versions(questionnaire=questionnaire).count() > versions_before
        return _detail(target, status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class QuestionTemplateListApi(APIView):
    """The templates a questionnaire can start from."""

    pagination_class = None

    class OutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        key = serializers.CharField()
        name = serializers.CharField()
        description = serializers.CharField()

    @extend_schema(responses=OutputSerializer(many=True), operation_id="question_templates_list")
    def get(self, request: ApiRequest) -> Response:
        templates = [
            {"key": key, "name": name, "description": description}
            for key, name, description in question_library.TEMPLATE_CHOICES
        ]
        return Response(self.OutputSerializer(templates, many=True).data)


# --- pages ----------------------------------------------------------------------------------


class QuestionPageListApi(APIView):
    """The pages of a version in order (with their questions); consultants add a page at the end."""

    pagination_class = None

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        description = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")

    @extend_schema(responses=QuestionPageOutputSerializer(many=True), operation_id="question_pages_list")
    def get(self, request: ApiRequest, questionnaire_id: int) -> Response:
        questionnaire = questionnaire_selectors.questionnaire_get(questionnaire_id=questionnaire_id)
        pages = questionnaire_selectors.questionnaire_pages(questionnaire=questionnaire)
        return Response(QuestionPageOutputSerializer(pages, many=True).data)

    @extend_schema(
        request=InputSerializer, responses={201: QuestionPageOutputSerializer}, operation_id="question_pages_create"
    )
    def post(self, request: ApiRequest, questionnaire_id: int) -> Response:
        questionnaire = questionnaire_selectors.questionnaire_get(questionnaire_id=questionnaire_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        page = questionnaire_services.question_page_create(
            client=request.tenant, acting_user=request.user, questionnaire=questionnaire, **serializer.validated_data
        )
        return Response(QuestionPageOutputSerializer(page).data, status=status.HTTP_201_CREATED)


class QuestionPageReorderApi(APIView):
    """Put the pages in this order (every page of the version, once)."""

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        page_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)

    @extend_schema(
        request=InputSerializer, responses=QuestionnaireDetailSerializer, operation_id="question_pages_reorder"
    )
    def post(self, request: ApiRequest, questionnaire_id: int) -> Response:
        questionnaire = questionnaire_selectors.questionnaire_get(questionnaire_id=questionnaire_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        edited = questionnaire_services.question_pages_reorder(
            client=request.tenant, acting_user=request.user, questionnaire=questionnaire, **serializer.validated_data
        )
        return _detail(edited)


class QuestionPageDetailApi(APIView):
    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        title = serializers.CharField(max_length=200, required=False, allow_blank=True)
        description = serializers.CharField(max_length=3000, required=False, allow_blank=True)

    @extend_schema(responses=QuestionPageOutputSerializer, operation_id="question_pages_retrieve")
    def get(self, request: ApiRequest, page_id: int) -> Response:
        page = questionnaire_selectors.question_page_get(page_id=page_id)
        return Response(QuestionPageOutputSerializer(page).data)

    @extend_schema(
        request=InputSerializer, responses=QuestionPageOutputSerializer, operation_id="question_pages_partial_update"
    )
    def patch(self, request: ApiRequest, page_id: int) -> Response:
        page = questionnaire_selectors.question_page_get(page_id=page_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        edited = questionnaire_services.question_page_update(
            client=request.tenant, acting_user=request.user, page=page, **serializer.validated_data
        )
        return Response(QuestionPageOutputSerializer(edited).data)

    @extend_schema(responses={204: None, 409: OpenApiResponse(description="The last page is kept.")})
    def delete(self, request: ApiRequest, page_id: int) -> Response:
        page = questionnaire_selectors.question_page_get(page_id=page_id)
        questionnaire_services.question_page_delete(client=request.tenant, acting_user=request.user, page=page)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- questions ------------------------------------------------------------------------------


class QuestionListApi(APIView):
    """The questions of a page in order; consultants add one at the end of the page."""

    pagination_class = None

    @extend_schema(responses=QuestionOutputSerializer(many=True), operation_id="questions_list")
    def get(self, request: ApiRequest, page_id: int) -> Response:
        page = questionnaire_selectors.question_page_get(page_id=page_id)
        questions = page.questions.select_related("dimension").order_by("position", "id")
        return Response(QuestionOutputSerializer(questions, many=True).data)

    @extend_schema(
        request=QuestionInputSerializer, responses={201: QuestionOutputSerializer}, operation_id="questions_create"
    )
    def post(self, request: ApiRequest, page_id: int) -> Response:
        page = questionnaire_selectors.question_page_get(page_id=page_id)
        serializer = QuestionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        question = questionnaire_services.question_create(
            client=request.tenant,
            acting_user=request.user,
            page=page,
            kind=fields.pop("kind"),
            text=fields.pop("text"),
            **fields,
        )
        return Response(QuestionOutputSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionReorderApi(APIView):
    """Put a page's questions in this order; ids of questions on other pages move them here."""

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        question_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)

    @extend_schema(request=InputSerializer, responses=QuestionPageOutputSerializer, operation_id="questions_reorder")
    def post(self, request: ApiRequest, page_id: int) -> Response:
        page = questionnaire_selectors.question_page_get(page_id=page_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        edited = questionnaire_services.questions_reorder(
            client=request.tenant, acting_user=request.user, page=page, **serializer.validated_data
        )
        return Response(QuestionPageOutputSerializer(edited).data)


class QuestionDetailApi(APIView):
    @extend_schema(responses=QuestionOutputSerializer, operation_id="questions_retrieve")
    def get(self, request: ApiRequest, question_id: int) -> Response:
        return Response(QuestionOutputSerializer(questionnaire_selectors.question_get(question_id=question_id)).data)

    @extend_schema(
        request=QuestionInputSerializer(partial=True),
        responses=QuestionOutputSerializer,
        operation_id="questions_partial_update",
    )
    def patch(self, request: ApiRequest, question_id: int) -> Response:
        question = questionnaire_selectors.question_get(question_id=question_id)
        serializer = QuestionInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        edited = questionnaire_services.question_update(
            client=request.tenant, acting_user=request.user, question=question, **serializer.validated_data
        )
        return Response(QuestionOutputSerializer(edited).data)

    @extend_schema(responses={204: None, 409: OpenApiResponse(description="The question has answers.")})
    def delete(self, request: ApiRequest, question_id: int) -> Response:
        question = questionnaire_selectors.question_get(question_id=question_id)
        questionnaire_services.question_delete(client=request.tenant, acting_user=request.user, question=question)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- respondents ----------------------------------------------------------------------------


class RespondentOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    has_opted_out = serializers.BooleanField(read_only=True)

    class Meta:
        model = Respondent
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "company",
            "audience",
            "segment",
            "language",
            "anchor_dates",
            "attributes",
            "has_opted_out",
            "bounced_at",
            "complained_at",
            "erased_at",
            "created_at",
            "updated_at",
        ]


class RespondentInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    email = serializers.CharField(max_length=254)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    audience = serializers.ChoiceField(choices=Audience.choices, required=False)
    segment = serializers.CharField(max_length=120, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    anchor_dates = serializers.DictField(
        child=serializers.CharField(), required=False, help_text='Name → date, e.g. {"purchase": "2026-01-31"}.'
    )
    attributes = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)


def _respondent(respondent_id: int) -> Respondent:
    return respondent_selectors.respondent_get(respondent_id=respondent_id)


class RespondentListApi(APIView):
    """Respondents with filters; consultants add one (an opted-out address is refused)."""

    class FilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
        search = serializers.CharField(max_length=100, required=False)
        audience = serializers.ChoiceField(choices=Audience.choices, required=False)
        segment = serializers.CharField(max_length=120, required=False)
        opted_out = serializers.BooleanField(required=False, allow_null=True, default=None)
        bounced = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(
        parameters=[FilterSerializer], responses=RespondentOutputSerializer(many=True), operation_id="respondents_list"
    )
    def get(self, request: ApiRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        respondents = respondent_selectors.respondent_list(**filters.validated_data)
        return _paginated(request, self, respondents, RespondentOutputSerializer)

    @extend_schema(
        request=RespondentInputSerializer,
        responses={201: RespondentOutputSerializer},
        operation_id="respondents_create",
    )
    def post(self, request: ApiRequest) -> Response:
        serializer = RespondentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        respondent = respondent_services.respondent_create(
            client=request.tenant, acting_user=request.user, email=fields.pop("email"), **fields
        )
        return Response(RespondentOutputSerializer(_respondent(respondent.pk)).data, status=status.HTTP_201_CREATED)


class RespondentDetailApi(APIView):
    @extend_schema(responses=RespondentOutputSerializer, operation_id="respondents_retrieve")
    def get(self, request: ApiRequest, respondent_id: int) -> Response:
        return Response(RespondentOutputSerializer(_respondent(respondent_id)).data)

    @extend_schema(
        request=RespondentInputSerializer(partial=True),
        responses=RespondentOutputSerializer,
        operation_id="respondents_partial_update",
    )
    def patch(self, request: ApiRequest, respondent_id: int) -> Response:
        respondent = _respondent(respondent_id)
        serializer = RespondentInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        respondent_services.respondent_update(
            client=request.tenant, acting_user=request.user, respondent=respondent, **serializer.validated_data
        )
        return Response(RespondentOutputSerializer(_respondent(respondent_id)).data)

    @extend_schema(responses={204: None, 409: OpenApiResponse(description="The person has answered surveys.")})
    def delete(self, request: ApiRequest, respondent_id: int) -> Response:
        respondent_services.respondent_delete(
            client=request.tenant, acting_user=request.user, respondent=_respondent(respondent_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class RespondentEraseApi(APIView):
    """A data-protection erasure: identity removed, ratings kept anonymously (see respondent_erase)."""

    read_roles = CONSULTANT_ONLY

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        confirm = serializers.BooleanField(help_text="Must be true: erasure cannot be undone.")
        never_survey_again = serializers.BooleanField(
            default=False, help_text="Also put the address on the opt-out list (kept as a hash)."
        )

        def validate_confirm(self, value: bool) -> bool:
            if not value:
                raise serializers.ValidationError("Send true to confirm: erasure cannot be undone.")
            return value

    class OutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        respondent = RespondentOutputSerializer()
        responses = serializers.IntegerField(help_text="Responses kept without the person.")
        texts_blanked = serializers.IntegerField(help_text="Free-text answers emptied.")
        invitations = serializers.IntegerField(help_text="Survey links made useless.")
        opted_out = serializers.BooleanField(help_text="Whether the address is on the opt-out list.")

    @extend_schema(request=InputSerializer, responses=OutputSerializer, operation_id="respondents_erase")
    def post(self, request: ApiRequest, respondent_id: int) -> Response:
        respondent = _respondent(respondent_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = respondent_services.respondent_erase(
            client=request.tenant,
            acting_user=request.user,
            respondent=respondent,
            never_survey_again=serializer.validated_data["never_survey_again"],
        )
        output = {
            "respondent": _respondent(respondent_id),
            "responses": result.responses,
            "texts_blanked": result.texts_blanked,
            "invitations": result.invitations,
            "opted_out": result.opted_out,
        }
        return Response(self.OutputSerializer(output).data)


# --- imports --------------------------------------------------------------------------------


class RowErrorSerializer(serializers.Serializer):  # type: ignore[type-arg]
    row = serializers.IntegerField(help_text="Row number as a spreadsheet shows it (header = row 1).")
    code = serializers.ChoiceField(
        choices=[
            "missing_email",
            "bad_email",
            "bad_date",
            "bad_language",
            "bad_audience",
            "too_long",
            "duplicate",
            "opted_out",
        ]
    )
    reason = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = BackgroundJob
        fields = ["id", "status", "percent", "progress_done", "progress_total", "message"]


class RespondentImportOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    errors = RowErrorSerializer(many=True, read_only=True, help_text="Skipped rows (the first 1,000).")  # type: ignore[assignment]
    errors_not_listed = serializers.IntegerField(read_only=True, help_text="Skipped rows beyond the list.")
    unchanged_rows = serializers.SerializerMethodField()
    job = serializers.SerializerMethodField()

    class Meta:
        model = RespondentImport
        fields = [
            "id",
            "file_name",
            "source",
            "file_format",
            "encoding",
            "status",
            "audience",
            "total_rows",
            "imported_rows",
            "updated_rows",
            "unchanged_rows",
            "skipped_rows",
            "errors",
            "errors_not_listed",
            "error_message",
            "preview",
            "job",
            "created_at",
            "finished_at",
        ]

    def get_unchanged_rows(self, item: RespondentImport) -> int:
        if item.status != RespondentImport.Status.DONE:
            return 0
        return max(0, item.total_rows - item.imported_rows - item.updated_rows - item.skipped_rows)

    @extend_schema_field(ImportJobSerializer(allow_null=True))
    def get_job(self, item: RespondentImport) -> dict[str, Any] | None:
        if not item.job_id:
            return None
        job = BackgroundJob.objects.filter(pk=item.job_id).first()
        return dict(ImportJobSerializer(job).data) if job else None


def _import_response(item: RespondentImport) -> Response:
    code = status.HTTP_202_ACCEPTED if item.status in ("queued", "running") else status.HTTP_201_CREATED
    return Response(RespondentImportOutputSerializer(item).data, status=code)


class RespondentImportListApi(APIView):
    """Imports, newest first; consultants upload a CSV/XLSX file (multipart field `file`).

    Without `preview_only` the file is imported at once (201 with the report) or, above 2,000 rows,
    in the background (202: poll `/respondent-imports/{id}/`). With `preview_only` the file is kept
    for `/respondent-imports/{id}/confirm/`.
    """

    read_roles = CONSULTANT_ONLY
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        file = serializers.FileField(help_text=f"CSV or XLSX, at most {MAX_FILE_BYTES // (1024 * 1024)} MB.")
        audience = serializers.ChoiceField(choices=Audience.choices, default=Audience.CUSTOMERS)
        preview_only = serializers.BooleanField(required=False, default=False)

    @extend_schema(responses=RespondentImportOutputSerializer(many=True), operation_id="respondent_imports_list")
    def get(self, request: ApiRequest) -> Response:
        return _paginated(request, self, respondent_selectors.respondent_imports(), RespondentImportOutputSerializer)

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={201: RespondentImportOutputSerializer, 202: RespondentImportOutputSerializer},
        operation_id="respondent_imports_create",
    )
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = respondent_services.respondent_import_upload(
            client=request.tenant, acting_user=request.user, uploaded_file=data["file"], audience=data["audience"]
        )
        if not data["preview_only"]:
            item = respondent_services.respondent_import_confirm(
                client=request.tenant, acting_user=request.user, respondent_import=item
            )
        return _import_response(item)


class RespondentImportDetailApi(APIView):
    """An import's status, progress (while in the background) and row-by-row report."""

    read_roles = CONSULTANT_ONLY

    @extend_schema(responses=RespondentImportOutputSerializer, operation_id="respondent_imports_retrieve")
    def get(self, request: ApiRequest, import_id: int) -> Response:
        item = respondent_selectors.respondent_import_get(import_id=import_id)
        return Response(RespondentImportOutputSerializer(item).data)


class RespondentImportConfirmApi(APIView):
    """Import a previewed file (201 when done at once, 202 when running in the background)."""

    @extend_schema(
        request=None,
        responses={201: RespondentImportOutputSerializer, 202: RespondentImportOutputSerializer},
        operation_id="respondent_imports_confirm",
    )
    def post(self, request: ApiRequest, import_id: int) -> Response:
        item = respondent_selectors.respondent_import_get(import_id=import_id)
        done = respondent_services.respondent_import_confirm(
            client=request.tenant, acting_user=request.user, respondent_import=item
        )
        return _import_response(done)


class RespondentBulkApi(APIView):
    """Import rows sent as JSON (keys read like a file's column names: email, first_name, …,
    `<name>_date` anchor dates, anything else an attribute). Returns the same report as a file."""

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        audience = serializers.ChoiceField(choices=Audience.choices, default=Audience.CUSTOMERS)
        rows = serializers.ListField(
            child=serializers.DictField(child=serializers.CharField(allow_blank=True, allow_null=True)),
            allow_empty=False,
            max_length=respondent_services.MAX_API_ROWS,
        )

    @extend_schema(
        request=InputSerializer,
        responses={201: RespondentImportOutputSerializer},
        operation_id="respondents_bulk_import",
    )
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = respondent_services.respondent_rows_import(
            client=request.tenant, acting_user=request.user, **serializer.validated_data
        )
        return Response(RespondentImportOutputSerializer(item).data, status=status.HTTP_201_CREATED)


# --- opt-outs -------------------------------------------------------------------------------


class OptOutOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = OptOut
        fields = ["id", "source", "created_at"]


class OptOutListApi(APIView):
    """Opt-outs, newest first (addresses are kept only as hashes, so none are shown; `count` is the
    total); consultants record one for an address (idempotent: 200 if it had already opted out)."""

    class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        email = serializers.EmailField()

    @extend_schema(responses=OptOutOutputSerializer(many=True), operation_id="opt_outs_list")
    def get(self, request: ApiRequest) -> Response:
        return _paginated(request, self, respondent_selectors.optout_list(), OptOutOutputSerializer)

    @extend_schema(
        request=InputSerializer,
        responses={201: OptOutOutputSerializer, 200: OptOutOutputSerializer},
        operation_id="opt_outs_create",
    )
    def post(self, request: ApiRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        optout, is_new = respondent_services.optout_add_manually(
            client=request.tenant, acting_user=request.user, email=serializer.validated_data["email"]
        )
        return Response(
            OptOutOutputSerializer(optout).data, status=status.HTTP_201_CREATED if is_new else status.HTTP_200_OK
        )
