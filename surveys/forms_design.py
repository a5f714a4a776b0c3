"""Forms of the design pages: questionnaire builder, respondents, imports and opt-outs.

Forms only shape input (choices limited to this client's own objects, text lines to lists); the
rules live in the services, whose errors the views attach with `apply_errors`.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings

from diagnostics.models import Dimension, JourneyMap, Stage, Touchpoint
from surveys import question_library
from surveys.models import Audience, Question, QuestionKind, Questionnaire, Respondent
from surveys.selectors.questionnaires import (
    dimensions_for_linking,
    dimensions_visible,
    journey_map_stages,
    journey_map_touchpoints,
    journey_maps_for_questionnaires,
)

TEXTAREA_SMALL = {"rows": 3}
YES_NO_ANY = [("", "Any"), ("yes", "Yes"), ("no", "No")]
NAME_VALUE_LINE = re.compile(r"^\s*([^:=]+?)\s*[:=]\s*(.*?)\s*$")


class JourneyMapChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: JourneyMap) -> str:
        return f"{obj.name} ({obj.segment})" if obj.segment else obj.name


class TouchpointSelect(forms.Select):
    """Each option names its stage (`data-stage`), so the builder script can keep the stage in step."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-stage"] = str(instance.stage_id)
        return option


class TouchpointChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    widget = TouchpointSelect

    def label_from_instance(self, obj: Touchpoint) -> str:
        return f"{obj.stage.name} — {obj.name}"


# --- questionnaires -------------------------------------------------------------------------


class QuestionnaireBlankForm(forms.Form):
    name = forms.CharField(max_length=200)
    audience = forms.ChoiceField(choices=Audience.choices, initial=Audience.CUSTOMERS)
    journey_map = JourneyMapChoiceField(
        queryset=JourneyMap.objects.none(),
        required=False,
        help_text="Needed to link questions to stages and touchpoints.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["journey_map"].queryset = journey_maps_for_questionnaires()  # type: ignore[attr-defined]


class QuestionnaireTemplateForm(forms.Form):
    template = forms.ChoiceField(
        choices=[(key, name) for key, name, _description in question_library.TEMPLATE_CHOICES],
        initial="servqual",
        widget=forms.RadioSelect,
    )
    name = forms.CharField(max_length=200, required=False, help_text="Leave blank to use the template's name.")
    audience = forms.ChoiceField(
        choices=Audience.choices,
        initial=Audience.CUSTOMERS,
        help_text="Staff questionnaires are worded for employees (“How do you think our customers rate us…”).",
    )
    company = forms.CharField(
        max_length=120, required=False, label="Company name in questions", help_text="Blank: the client's name."
    )
    industry = forms.CharField(
        max_length=80,
        required=False,
        label="Kind of firm (plural)",
        help_text="Used in SERVQUAL's expectation statements: “Excellent telecom providers will…”. Blank: companies.",
    )
    include_importance = forms.BooleanField(required=False, label="Add the 100-point importance question (SERVQUAL)")
    journey_map = JourneyMapChoiceField(queryset=JourneyMap.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["journey_map"].queryset = journey_maps_for_questionnaires()  # type: ignore[attr-defined]


class QuestionnaireJourneyForm(forms.Form):
    journey_map = JourneyMapChoiceField(queryset=JourneyMap.objects.none())
    name = forms.CharField(max_length=200, required=False, help_text="Blank: “<map> journey survey”.")
    question_kind = forms.ChoiceField(
        label="Question for each touchpoint",
        choices=[
            (QuestionKind.CSAT, "Satisfaction (CSAT, 1–5)"),
            (QuestionKind.CES, "Effort (CES, 1–7)"),
            (QuestionKind.SERVQUAL_PAIR, "SERVQUAL pair on one dimension"),
        ],
        initial=QuestionKind.CSAT,
    )
    dimension = forms.ModelChoiceField(
        queryset=Dimension.objects.none(), required=False, help_text="For SERVQUAL pairs: the dimension they measure."
    )
    include_nps = forms.BooleanField(required=False, initial=True, label="End with the NPS question")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["journey_map"].queryset = journey_maps_for_questionnaires()  # type: ignore[attr-defined]
        self.fields["dimension"].queryset = dimensions_visible()  # type: ignore[attr-defined]


class QuestionnaireMirrorForm(forms.Form):
    questionnaire = forms.ModelChoiceField(
        queryset=Questionnaire.objects.none(), label="Customer questionnaire to mirror"
    )
    name = forms.CharField(max_length=200, required=False, help_text="Blank: “<name> — staff mirror”.")

    def __init__(self, *args: Any, choices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if choices is not None:
            self.fields["questionnaire"].queryset = choices  # type: ignore[attr-defined]


class QuestionnaireSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    journey_map = JourneyMapChoiceField(queryset=JourneyMap.objects.none(), required=False)

    class Meta:
        model = Questionnaire
        fields = ["name", "audience", "journey_map", "intro_text", "thank_you_text"]
        labels = {"intro_text": "Introduction", "thank_you_text": "Thank-you message"}
        help_texts = {
            "intro_text": "Shown above the first page.",
            "thank_you_text": "Shown when the respondent has finished.",
        }
        widgets = {
            "intro_text": forms.Textarea(attrs=TEXTAREA_SMALL),
            "thank_you_text": forms.Textarea(attrs=TEXTAREA_SMALL),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        maps = journey_maps_for_questionnaires()
        if self.instance.journey_map_id:
            maps = maps | JourneyMap.objects.filter(pk=self.instance.journey_map_id)
        self.fields["journey_map"].queryset = maps.distinct()  # type: ignore[attr-defined]


class QuestionPageForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    description = forms.CharField(max_length=3000, required=False, widget=forms.Textarea(attrs=TEXTAREA_SMALL))


class QuestionForm(forms.Form):
    """All settings of a question; the builder's script shows only those of the chosen kind."""

    kind = forms.ChoiceField(choices=QuestionKind.choices)
    text = forms.CharField(
        label="Question",
        max_length=500,
        widget=forms.Textarea(attrs=TEXTAREA_SMALL),
        help_text="For SERVQUAL pairs: the perception statement about the client.",
    )
    expectation_text = forms.CharField(
        label="Expectation statement",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA_SMALL),
        help_text="SERVQUAL pairs only: what an excellent firm would do.",
    )
    help_text = forms.CharField(label="Help text", max_length=500, required=False)
    is_required = forms.BooleanField(label="An answer is required", required=False, initial=True)
    scale_points = forms.TypedChoiceField(
        label="Points on the scale",
        choices=[("", "—"), (5, "5"), (7, "7")],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Likert only.",
    )
    scale_min_label = forms.CharField(label="Label of the lowest point", max_length=80, required=False)
    scale_max_label = forms.CharField(label="Label of the highest point", max_length=80, required=False)
    options_text = forms.CharField(
        label="Options",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Choice questions: one option per line (2 to 20).",
    )
    importance_dimensions = forms.ModelMultipleChoiceField(
        label="Dimensions to divide 100 points across",
        queryset=Dimension.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="key",
        help_text="Importance questions only; none ticked means all.",
    )
    stage = forms.ModelChoiceField(label="Journey stage", queryset=Stage.objects.none(), required=False)
    touchpoint = TouchpointChoiceField(queryset=Touchpoint.objects.none(), required=False)
    dimension = forms.ModelChoiceField(queryset=Dimension.objects.none(), required=False)
    item_key = forms.CharField(
        label="Item key",
        max_length=40,
        required=False,
        help_text="Identifies the item across versions and the staff mirror. Blank: the next Q-number.",
    )

    def __init__(
        self, *args: Any, questionnaire: Questionnaire, question: Question | None = None, **kwargs: Any
    ) -> None:
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = question_initial(question)
        super().__init__(*args, **kwargs)
        journey_map = questionnaire.journey_map
        self.fields["stage"].queryset = journey_map_stages(journey_map=journey_map)  # type: ignore[attr-defined]
        self.fields["touchpoint"].queryset = journey_map_touchpoints(journey_map=journey_map)  # type: ignore[attr-defined]
        current = question.dimension if question is not None else None
        self.fields["dimension"].queryset = dimensions_for_linking(include=current)  # type: ignore[attr-defined]
        self.fields["importance_dimensions"].queryset = dimensions_visible()  # type: ignore[attr-defined]
        if journey_map is None:
            for name in ("stage", "touchpoint"):
                self.fields[name].help_text = "Link the questionnaire to a journey map (in its settings) first."
                self.fields[name].disabled = True

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the question services take it."""
        data = dict(self.cleaned_data)
        options_text = data.pop("options_text", "") or ""
        dimensions = data.pop("importance_dimensions", None)
        if data["kind"] == QuestionKind.IMPORTANCE:
            data["options"] = [dimension.key for dimension in dimensions] if dimensions else []
        else:
            data["options"] = [line.strip() for line in options_text.splitlines() if line.strip()]
        return data


def question_initial(question: Question) -> dict[str, Any]:
    initial = {
        name: getattr(question, name)
        for name in (
            "kind",
            "text",
            "expectation_text",
            "help_text",
            "is_required",
            "scale_points",
            "scale_min_label",
            "scale_max_label",
            "stage",
            "touchpoint",
            "dimension",
            "item_key",
        )
    }
    if question.kind == QuestionKind.IMPORTANCE:
        initial["importance_dimensions"] = list(question.options)
    else:
        initial["options_text"] = "\n".join(question.options)
    return initial


# --- respondents ----------------------------------------------------------------------------


def _language_choices() -> list[tuple[str, str]]:
    return [(code, name) for code, name in settings.LANGUAGES]


def parse_name_value_lines(text: str) -> dict[str, str]:
    """`name: value` (or `name = value`) per line into a dict; a line without a separator is an error."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = NAME_VALUE_LINE.match(line)
        if match is None:
            raise forms.ValidationError(f"Line {number}: write “name: value”.")
        values[match[1]] = match[2]
    return values


class RespondentForm(forms.ModelForm):  # type: ignore[type-arg]
    language = forms.ChoiceField(choices=_language_choices)
    anchor_dates_text = forms.CharField(
        label="Anchor dates",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA_SMALL),
        help_text="One per line, e.g. “purchase: 2026-01-31”. Campaign stages can count days from these.",
    )
    attributes_text = forms.CharField(
        label="Other attributes",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA_SMALL),
        help_text="One per line, e.g. “plan: Gold”.",
    )

    class Meta:
        model = Respondent
        fields = ["email", "first_name", "last_name", "company", "audience", "segment", "language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["anchor_dates_text"].initial = "\n".join(
                f"{name}: {value}" for name, value in self.instance.anchor_dates.items()
            )
            self.fields["attributes_text"].initial = "\n".join(
                f"{name}: {value}" for name, value in self.instance.attributes.items()
            )

    def validate_unique(self) -> None:
        """Uniqueness is the service's rule (it also knows about opt-outs)."""

    def clean_anchor_dates_text(self) -> dict[str, str]:
        return parse_name_value_lines(self.cleaned_data.get("anchor_dates_text") or "")

    def clean_attributes_text(self) -> dict[str, str]:
        return parse_name_value_lines(self.cleaned_data.get("attributes_text") or "")

    def service_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["anchor_dates"] = self.cleaned_data["anchor_dates_text"]
        data["attributes"] = self.cleaned_data["attributes_text"]
        return data


class RespondentFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    audience = forms.ChoiceField(choices=[("", "All"), *Audience.choices], required=False)
    segment = forms.ChoiceField(choices=[("", "All")], required=False)
    opted_out = forms.ChoiceField(label="Opted out", choices=YES_NO_ANY, required=False)
    bounced = forms.ChoiceField(label="Bounced", choices=YES_NO_ANY, required=False)

    def __init__(self, *args: Any, segments: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = [("", "All"), *((segment, segment) for segment in segments)]  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs["data-autosubmit"] = ""
        self.fields["q"].widget.attrs.pop("data-autosubmit")

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        flag = {"yes": True, "no": False}
        return {
            "search": data["q"],
            "audience": data["audience"],
            "segment": data["segment"],
            "opted_out": flag.get(data["opted_out"]),
            "bounced": flag.get(data["bounced"]),
        }


class RespondentImportForm(forms.Form):
    file = forms.FileField(
        label="CSV or XLSX file",
        help_text="Up to 20 MB. One column must be the email; see the help below for the others.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    audience = forms.ChoiceField(
        choices=Audience.choices, initial=Audience.CUSTOMERS, help_text="Unless an “audience” column says otherwise."
    )


class OptOutForm(forms.Form):
    email = forms.EmailField(help_text="They will never be surveyed by this client again; this cannot be undone.")


class RespondentEraseForm(forms.Form):
    """The confirmation step of an erasure: the consultant types the address being erased."""

    confirm_email = forms.CharField(
        label="Type the person's email address to confirm",
        max_length=254,
        help_text="Erasure cannot be undone.",
    )
    never_survey_again = forms.BooleanField(
        label="Keep this address on the opt-out list, so it is never surveyed again",
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_confirm_email(self) -> str:
        typed = self.cleaned_data["confirm_email"].strip().lower()
        if typed != self.email.lower():
            raise forms.ValidationError("This is not the address of the person being erased.")
        return typed
