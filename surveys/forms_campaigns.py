"""Forms of the campaign set-up page. They only parse input; the rules live in services/campaigns.py."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Client
from accounts.selectors import client_member_users
from diagnostics.models import Stage, Touchpoint
from surveys.models import Audience, CampaignStage, Questionnaire

WEEKDAYS = [(1, "Mon"), (2, "Tue"), (3, "Wed"), (4, "Thu"), (5, "Fri"), (6, "Sat"), (7, "Sun")]
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
STAGE_FIELD_NAMES = ("name", "timing", "send_at", "anchor", "offset_days", "journey_stage", "touchpoint")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=200)
    questionnaire = forms.ModelChoiceField(queryset=Questionnaire.objects.none(), help_text="The version sent.")
    audience = forms.ChoiceField(choices=Audience.choices)
    segment = forms.CharField(max_length=120, required=False, help_text="Only this segment (blank: everyone).")
    wave = forms.IntegerField(min_value=1, max_value=100, initial=1)
    expires_at = forms.DateTimeField(
        widget=DateTimeLocalInput(), input_formats=[DATETIME_FORMAT], help_text="In the client's time zone."
    )
    send_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every day.",
    )
    send_start_hour = forms.IntegerField(min_value=0, max_value=23, initial=8, label="Send from (hour)")
    send_end_hour = forms.IntegerField(min_value=1, max_value=24, initial=20, label="Send until (hour)")
    throttle_per_minute = forms.IntegerField(min_value=1, max_value=100000, initial=120, label="Emails per minute")
    reminder_max_count = forms.IntegerField(min_value=0, max_value=10, initial=2, label="Reminders at most")
    reminder_min_days = forms.IntegerField(min_value=1, max_value=60, initial=3, label="Days between reminders")
    sender_name = forms.CharField(max_length=120, required=False)
    consultant_user_id = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Signed by")
    invitation_subject = forms.CharField(max_length=200)
    invitation_body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), required=False, help_text="Blank: the standard translated text."
    )
    reminder_subject = forms.CharField(max_length=200)
    reminder_body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)

    def __init__(self, *args: Any, client: Client, locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = Questionnaire.objects.order_by("name", "-version")  # type: ignore[attr-defined]
        self.fields["consultant_user_id"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (user.pk, user.display_name) for user in client_member_users(client=client)
        ]
        if locked:  # launched: the set-up is fixed, copy and sending rules stay editable
            for name in ("questionnaire", "audience", "segment", "wave"):
                self.fields[name].disabled = True

    def campaign_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["segment"] = data.get("segment") or ""
        return {name: value for name, value in data.items() if not self.fields[name].disabled}


class StageForm(forms.Form):
    name = forms.CharField(max_length=120)
    timing = forms.ChoiceField(choices=CampaignStage.Timing.choices)
    send_at = forms.DateTimeField(
        widget=DateTimeLocalInput(), input_formats=[DATETIME_FORMAT], required=False, label="Send at"
    )
    anchor = forms.CharField(max_length=60, required=False, help_text="e.g. purchase")
    offset_days = forms.IntegerField(min_value=0, max_value=3650, initial=0, required=False, label="Days after")
    journey_stage = forms.ModelChoiceField(queryset=Stage.objects.none(), required=False)
    touchpoint = forms.ModelChoiceField(queryset=Touchpoint.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["journey_stage"].queryset = Stage.objects.select_related("journey_map").order_by(  # type: ignore[attr-defined]
            "journey_map__name", "position"
        )
        self.fields["touchpoint"].queryset = Touchpoint.objects.select_related("stage").order_by(  # type: ignore[attr-defined]
            "stage__position", "position"
        )

    def stage_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["offset_days"] = data.get("offset_days") or 0
        data["anchor"] = data.get("anchor") or ""
        return {name: data.get(name) for name in STAGE_FIELD_NAMES}


StageFormSet = forms.formset_factory(StageForm, extra=1, can_delete=True, can_order=True, max_num=20, validate_max=True)


def stages_from(formset: Any) -> list[dict[str, Any]]:
    """The stages a valid formset describes, in the order the consultant gave, without deleted ones."""
    return [form.stage_fields() for form in formset.ordered_forms if form.has_changed()]


class CopyPreviewForm(forms.Form):
    kind = forms.ChoiceField(choices=[("invitation", "Invitation"), ("reminder", "Reminder")])
    subject = forms.CharField(max_length=200, required=False)
    body = forms.CharField(max_length=10000, required=False)
