"""Forms of the diagnostics pages. They parse input; the rules live in diagnostics.services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from diagnostics.models import (
    EMOTION_LABELS,
    EMOTION_MAX,
    EMOTION_MIN,
    SCORE_MAX,
    SCORE_MIN,
    Assessment,
    Dimension,
    InitiativeStatus,
    JourneyMap,
    Persona,
    Pillar,
    Stage,
    Touchpoint,
)
from diagnostics.selectors.scoring import ScoreGrid

EMOTION_CHOICES = [("", "— not set —")] + [
    (str(value), f"{'+' if value > 0 else ('−' if value < 0 else '')}{abs(value)} {EMOTION_LABELS[value].lower()}")
    for value in range(EMOTION_MAX, EMOTION_MIN - 1, -1)
]
LINK_ROWS = 3


def _emotion_field(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=EMOTION_CHOICES, coerce=int, empty_value=None, required=False)


class JourneyMapForm(forms.ModelForm):  # type: ignore[type-arg]
    with_default_stages = forms.BooleanField(
        label="Start from the default stages (Discover, Try, Buy, Onboard, Use, Renew)", required=False, initial=True
    )

    class Meta:
        model = JourneyMap
        fields = ["name", "segment", "description", "is_archived"]
        help_texts = {"segment": "The customer segment this journey describes, e.g. “Home broadband”."}
        labels = {"is_archived": "Archived (hidden from the list by default)"}

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["is_archived"]
        else:
            del self.fields["with_default_stages"]


class PersonaForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Persona
        fields = ["name", "description", "goals"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "goals": forms.Textarea(attrs={"rows": 3})}


class StageForm(forms.ModelForm):  # type: ignore[type-arg]
    position = forms.IntegerField(
        min_value=0, max_value=32767, required=False, help_text="Leave empty to add the stage at the end."
    )

    class Meta:
        model = Stage
        fields = ["name", "description", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class TouchpointForm(forms.ModelForm):  # type: ignore[type-arg]
    as_is_expected_emotion = _emotion_field("As-is: expected emotion")
    as_is_actual_emotion = _emotion_field("As-is: actual emotion")
    to_be_expected_emotion = _emotion_field("To-be: expected emotion")
    to_be_actual_emotion = _emotion_field("To-be: actual emotion")

    class Meta:
        model = Touchpoint
        fields = [
            "stage",
            "name",
            "channel",
            "owning_team",
            "is_moment_of_truth",
            "description",
            "as_is_expected_emotion",
            "as_is_actual_emotion",
            "as_is_emotion_note",
            "to_be_expected_emotion",
            "to_be_actual_emotion",
            "to_be_emotion_note",
        ]
        labels = {
            "is_moment_of_truth": "Moment of truth",
            "as_is_emotion_note": "As-is: note",
            "to_be_emotion_note": "To-be: note",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, journey_map: JourneyMap, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this map's stages are offered; the service re-checks the link.
        self.fields["stage"].queryset = Stage.objects.filter(journey_map=journey_map).order_by("position")  # type: ignore[attr-defined]


class DimensionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Dimension
        fields = ["name", "key", "definition"]
        help_texts = {"key": "A short identifier used by surveys and reports; leave empty to derive it from the name."}
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].required = False

    def validate_unique(self) -> None:
        """The service reports a taken key, with a clearer message."""


class AssessmentForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Assessment
        fields = ["journey_map", "name", "held_on", "notes"]
        labels = {"held_on": "Held on", "journey_map": "Journey map"}
        help_texts = {"name": "For example “Baseline workshop” or “Quarterly review”."}
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"}), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["journey_map"]


class ScoreGridForm(forms.Form):
    """One number field (1–7, optional) and one rationale per row × dimension of a score grid."""

    def __init__(self, *args: Any, grid: ScoreGrid, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grid = grid
        for row in grid.rows:
            for dimension in grid.dimensions:
                score = row.scores.get(dimension.pk)
                name = self.cell_name(row.key, dimension.pk)
                self.fields[name] = forms.IntegerField(
                    label=f"{row.label} — {dimension.name}",
                    min_value=SCORE_MIN,
                    max_value=SCORE_MAX,
                    required=False,
                    initial=score.value if score else None,
                    error_messages={
                        "min_value": f"Score from {SCORE_MIN} to {SCORE_MAX}.",
                        "max_value": f"Score from {SCORE_MIN} to {SCORE_MAX}.",
                        "invalid": f"Enter a whole number from {SCORE_MIN} to {SCORE_MAX}.",
                    },
                    widget=forms.NumberInput(
                        attrs={
                            "min": SCORE_MIN,
                            "max": SCORE_MAX,
                            "step": 1,
                            "inputmode": "numeric",
                            "class": "score-input",
                        }
                    ),
                )
                self.fields[f"{name}_why"] = forms.CharField(
                    label=f"Rationale: {row.label} — {dimension.name}",
                    required=False,
                    max_length=3000,
                    initial=score.rationale if score else "",
                    widget=forms.Textarea(attrs={"rows": 2, "class": "score-rationale"}),
                )

    @staticmethod
    def cell_name(row_key: str, dimension_id: int) -> str:
        return f"cell_{row_key}_{dimension_id}"

    def cells(self) -> list[tuple[str, Any, Any]]:
        """(field name, row, dimension) for every cell in grid order."""
        return [
            (self.cell_name(row.key, dimension.pk), row, dimension)
            for row in self.grid.rows
            for dimension in self.grid.dimensions
        ]

    def table(self) -> list[tuple[Any, list[tuple[Any, forms.BoundField, forms.BoundField]]]]:
        """Rows of (row, [(dimension, value field, rationale field)]) for the template."""
        return [
            (
                row,
                [
                    (
                        dimension,
                        self[self.cell_name(row.key, dimension.pk)],
                        self[self.cell_name(row.key, dimension.pk) + "_why"],
                    )
                    for dimension in self.grid.dimensions
                ],
            )
            for row in self.grid.rows
        ]


class InitiativeForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    journey_map = forms.ModelChoiceField(queryset=JourneyMap.objects.none(), required=False, label="Journey map")
    pillar = forms.ChoiceField(choices=[("", "—"), *Pillar.choices], required=False, label="Success pillar")
    owner_user_id = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label="Owner")
    due_on = forms.DateField(required=False, label="Due on", widget=forms.DateInput(attrs={"type": "date"}))
    impact = forms.TypedChoiceField(
        coerce=int, choices=[(n, str(n)) for n in range(1, 6)], initial=3, help_text="1 = small, 5 = large"
    )
    effort = forms.TypedChoiceField(
        coerce=int, choices=[(n, str(n)) for n in range(1, 6)], initial=3, help_text="1 = little, 5 = a lot"
    )
    kpi_name = forms.CharField(max_length=200, required=False, label="KPI")
    kpi_unit = forms.CharField(max_length=40, required=False, label="KPI unit", help_text="e.g. points, %, days")
    kpi_baseline = forms.DecimalField(max_digits=12, decimal_places=2, required=False, label="KPI baseline")
    kpi_target = forms.DecimalField(max_digits=12, decimal_places=2, required=False, label="KPI target")
    kpi_metric = forms.ChoiceField(
        required=False, label="KPI follows report metric", help_text="A compiled report updates the current value."
    )

    def __init__(
        self,
        *args: Any,
        owners: Sequence[tuple[int, str]],
        metrics: Sequence[tuple[str, str]],
        stages: Sequence[Stage],
        touchpoints: Sequence[Touchpoint],
        dimensions: Sequence[Dimension],
        link_rows: int = LINK_ROWS,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["journey_map"].queryset = JourneyMap.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["owner_user_id"].choices = [("", "— nobody yet —"), *owners]  # type: ignore[attr-defined]
        self.fields["kpi_metric"].choices = list(metrics)  # type: ignore[attr-defined]
        self.stages = {str(stage.uid): stage for stage in stages}
        self.touchpoints = {str(touchpoint.uid): touchpoint for touchpoint in touchpoints}
        self.dimensions = {dimension.key: dimension for dimension in dimensions}
        several_maps = len({stage.journey_map_id for stage in stages}) > 1
        stage_choices = [("", "—")] + [
            (uid, f"{stage.name} ({stage.journey_map.name})" if several_maps else stage.name)
            for uid, stage in self.stages.items()
        ]
        touchpoint_choices = [("", "—")] + [
            (uid, f"{touchpoint.stage.name}: {touchpoint.name}") for uid, touchpoint in self.touchpoints.items()
        ]
        dimension_choices = [("", "—")] + [(key, dimension.name) for key, dimension in self.dimensions.items()]
        self.link_rows = link_rows
        for index in range(link_rows):
            self.fields[f"link_{index}_stage"] = forms.ChoiceField(
                choices=stage_choices, required=False, label=f"Gap {index + 1}: stage"
            )
            self.fields[f"link_{index}_touchpoint"] = forms.ChoiceField(
                choices=touchpoint_choices, required=False, label=f"Gap {index + 1}: touchpoint"
            )
            self.fields[f"link_{index}_dimension"] = forms.ChoiceField(
                choices=dimension_choices, required=False, label=f"Gap {index + 1}: dimension"
            )

    def link_fields(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"link_{index}_{part}"] for part in ("stage", "touchpoint", "dimension")]
            for index in range(self.link_rows)
        ]

    def main_fields(self) -> list[forms.BoundField]:
        return [field for field in self if not field.name.startswith("link_")]

    def gap_links(self) -> list[dict[str, Any]]:
        """The filled link rows as {"stage", "touchpoint", "dimension"} objects (None where empty)."""
        links = []
        for index in range(self.link_rows):
            stage = self.stages.get(self.cleaned_data.get(f"link_{index}_stage") or "")
            touchpoint = self.touchpoints.get(self.cleaned_data.get(f"link_{index}_touchpoint") or "")
            dimension = self.dimensions.get(self.cleaned_data.get(f"link_{index}_dimension") or "")
            if stage or touchpoint or dimension:
                links.append({"stage": stage, "touchpoint": touchpoint, "dimension": dimension, "index": index})
        return links

    def initiative_fields(self) -> dict[str, Any]:
        names = (
            "description",
            "journey_map",
            "pillar",
            "owner_user_id",
            "due_on",
            "impact",
            "effort",
            "kpi_name",
            "kpi_unit",
            "kpi_baseline",
            "kpi_target",
            "kpi_metric",
        )
        return {name: self.cleaned_data[name] for name in names}


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=InitiativeStatus.choices, label="New status")
    note = forms.CharField(required=False, max_length=1000, label="Note (optional)")

    def __init__(self, *args: Any, next_statuses: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = list(next_statuses)  # type: ignore[attr-defined]


class KpiForm(forms.Form):
    kpi_current = forms.DecimalField(max_digits=12, decimal_places=2, required=False, label="Current value")


class CommentForm(forms.Form):
    body = forms.CharField(max_length=5000, label="Comment", widget=forms.Textarea(attrs={"rows": 3}))


class MapImportForm(forms.Form):
    document = forms.FileField(label="Journey map file (.json)", help_text="A file exported from a journey map page.")


class PlanFilterForm(forms.Form):
    """The plan's filters (GET). Invalid values are ignored rather than failing the page."""

    group = forms.ChoiceField(choices=[("status", "Status"), ("stage", "Stage")], required=False, label="Group by")
    status = forms.ChoiceField(choices=[("", "Any status"), *InitiativeStatus.choices], required=False)
    owner = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    pillar = forms.ChoiceField(choices=[("", "Any pillar"), *Pillar.choices], required=False)
    stage = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    overdue = forms.BooleanField(required=False, label="Overdue only")
    q = forms.CharField(required=False, max_length=100, label="Search")

    def __init__(self, *args: Any, owners: Sequence[tuple[int, str]], stages: Sequence[Stage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Any owner"), *owners]  # type: ignore[attr-defined]
        several_maps = len({stage.journey_map_id for stage in stages}) > 1
        self.fields["stage"].choices = [("", "Any stage")] + [  # type: ignore[attr-defined]
            (stage.pk, f"{stage.name} ({stage.journey_map.name})" if several_maps else stage.name) for stage in stages
        ]
