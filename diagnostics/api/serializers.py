"""Output shapes of the diagnostics API, shared by the views in diagnostics.api (inputs are nested there)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from diagnostics.models import (
    Assessment,
    Dimension,
    Initiative,
    InitiativeComment,
    InitiativeEvent,
    InitiativeGapLink,
    JourneyMap,
    Persona,
    Score,
    Stage,
    Touchpoint,
)


class JourneyMapOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = JourneyMap
        fields = [
            "id",
            "uid",
            "source_uid",
            "name",
            "segment",
            "description",
            "is_archived",
            "created_at",
            "updated_at",
        ]


class PersonaOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Persona
        fields = ["id", "journey_map", "name", "description", "goals", "position"]


class StageOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Stage
        fields = ["id", "uid", "source_uid", "journey_map", "name", "description", "position"]


class TouchpointOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    journey_map = serializers.IntegerField(source="stage.journey_map_id", read_only=True)

    class Meta:
        model = Touchpoint
        fields = [
            "id",
            "uid",
            "source_uid",
            "journey_map",
            "stage",
            "name",
            "channel",
            "owning_team",
            "is_moment_of_truth",
            "description",
            "position",
            "as_is_expected_emotion",
            "as_is_actual_emotion",
            "as_is_emotion_note",
            "to_be_expected_emotion",
            "to_be_actual_emotion",
            "to_be_emotion_note",
        ]


class DimensionOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Dimension
        fields = ["id", "key", "name", "definition", "kind", "is_hidden", "position"]


class AssessmentOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Assessment
        fields = ["id", "journey_map", "name", "held_on", "notes", "created_by_user_id", "created_at"]


class ScoreOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    dimension = serializers.CharField(source="dimension.key", read_only=True)

    class Meta:
        model = Score
        fields = [
            "id",
            "assessment",
            "stage",
            "touchpoint",
            "dimension",
            "perspective",
            "value",
            "rationale",
            "scored_by_user_id",
            "updated_at",
        ]


class GapLinkOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    dimension: serializers.SlugRelatedField[Dimension] = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = InitiativeGapLink
        fields = ["stage", "touchpoint", "dimension"]


class InitiativeOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    gap_links = GapLinkOutputSerializer(many=True, read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Initiative
        fields = [
            "id",
            "journey_map",
            "title",
            "description",
            "pillar",
            "owner_user_id",
            "status",
            "due_on",
            "is_overdue",
            "effort",
            "impact",
            "kpi_name",
            "kpi_unit",
            "kpi_baseline",
            "kpi_target",
            "kpi_current",
            "kpi_metric",
            "gap_links",
            "created_by_user_id",
            "created_at",
            "updated_at",
        ]

    def get_is_overdue(self, initiative: Initiative) -> bool:
        return initiative.is_overdue_on(self.context["today"])


class InitiativeEventOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    changes = serializers.JSONField()

    class Meta:
        model = InitiativeEvent
        fields = ["id", "kind", "actor_user_id", "actor_label", "changes", "created_at"]


class InitiativeCommentOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = InitiativeComment
        fields = ["id", "author_user_id", "author_label", "body", "created_at"]


class GapCellOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    stage = serializers.IntegerField()
    dimension = serializers.CharField()
    baseline = serializers.FloatField(allow_null=True)
    target = serializers.FloatField(allow_null=True)
    internal = serializers.FloatField(allow_null=True)
    target_gap = serializers.FloatField(allow_null=True)
    internal_gap = serializers.FloatField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]


def gap_cell_payload(*, stage_id: int, dimension_key: str, cell: Any, label: str) -> dict[str, Any]:
    return {
        "stage": stage_id,
        "dimension": dimension_key,
        "baseline": cell.baseline,
        "target": cell.target,
        "internal": cell.internal,
        "target_gap": cell.target_gap,
        "internal_gap": cell.internal_gap,
        "label": label,
    }
