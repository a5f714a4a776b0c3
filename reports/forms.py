"""The compile form: which campaigns (customer waves, staff mirror) and which workshop scoring."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from reports import selectors


class ReportCompileForm(forms.Form):
    title = forms.CharField(max_length=200, label="Report title")
    campaigns = forms.MultipleChoiceField(
        label="Campaigns",
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "The latest customer wave is the report's current wave; earlier customer waves show the trend; "
            "a staff mirror is compared with the customers."
        ),
    )
    assessment = forms.ChoiceField(
        label="Workshop scoring to compare with",
        required=False,
        help_text="Baseline and target scores are shown beside what the survey measured.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = selectors.campaigns_for_compile()
        campaigns_field = cast(forms.MultipleChoiceField, self.fields["campaigns"])
        assessment_field = cast(forms.ChoiceField, self.fields["assessment"])
        campaigns_field.choices = [
            (
                str(choice.id),
                f"{choice.name} — {choice.audience_label.lower()}, wave {choice.wave}, "
                f"{choice.completed} completed ({choice.status.lower()})",
            )
            for choice in choices
        ]
        assessments = list(selectors.assessments_for_compile())
        assessment_field.choices = [("", "None: no workshop comparison")] + [
            (str(assessment.pk), f"{assessment.name} — {assessment.journey_map.name}, {assessment.held_on:%d %b %Y}")
            for assessment in assessments
        ]
        if not self.is_bound:
            self.initial.setdefault("title", f"Gap report — {timezone.localdate():%B %Y}")
            self.initial.setdefault("campaigns", [str(choice.id) for choice in choices if choice.completed])
            if assessments:
                self.initial.setdefault("assessment", str(assessments[0].pk))
        self.has_campaigns = bool(choices)
