"""Forms of the console and of the portal's sign-in pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import Client, EngagementPhase, EngagementTemplate, Role, User


class LoginForm(AuthenticationForm):
    """Email + password (the console's sign-in page)."""

    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Please enter a correct email and password.",
    }

    def clean(self) -> dict[str, Any]:
        email = (self.cleaned_data.get("username") or "").strip().lower()
        password = self.cleaned_data.get("password")
        if email and password:
            self.user_cache = authenticate(self.request, username=email, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class ClientForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Client
        fields = [
            "name",
            "slug",
            "brand_colour",
            "logo",
            "k_anonymity_threshold",
            "benchmark_opt_in",
            "timezone",
            "language",
        ]
        labels = {
            "slug": "Address",
            "brand_colour": "Brand colour",
            "k_anonymity_threshold": "Smallest group shown in reports",
            "benchmark_opt_in": "Contribute to anonymised benchmarks",
        }
        help_texts = {
            "slug": "Lowercase letters, digits and hyphens; the portal will be at <address>.<domain>.",
        }
        widgets = {"brand_colour": forms.TextInput(attrs={"type": "color"})}


class NewClientForm(ClientForm):
    template = forms.ModelChoiceField(
        queryset=EngagementTemplate.objects.all(),
        required=False,
        empty_label="Blank — start from scratch",
        label="Start from an engagement template",
        help_text="The new client gets its own copies of the template's journey maps, questionnaires and "
        "campaign schedule, which it can change freely.",
    )


class ClientSettingsForm(ClientForm):
    class Meta(ClientForm.Meta):
        fields = ["name", "brand_colour", "logo", "k_anonymity_threshold", "benchmark_opt_in", "timezone", "language"]


class InviteForm(forms.Form):
    email = forms.EmailField()
    full_name = forms.CharField(max_length=150, required=False, label="Name")
    role = forms.ChoiceField(choices=[(Role.LEADER, "Client leader"), (Role.VIEWER, "Viewer (read only)")])


class AddConsultantForm(forms.Form):
    user: forms.ModelChoiceField[User] = forms.ModelChoiceField(queryset=User.objects.none(), label="Consultant")

    def __init__(self, *args: Any, consultants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = consultants  # type: ignore[attr-defined]


class AcceptInviteForm(forms.Form):
    full_name = forms.CharField(max_length=150, required=False, label="Your name")
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False)
    password_confirm = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False, label="Repeat the password"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", "The two passwords differ.")
        return data


class ConfirmInviteForm(forms.Form):
    """For someone who already has an account: confirm with the current password."""

    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), strip=False, label="Your password"
    )


class CockpitFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=120, label="Search by name")
    phase = forms.ChoiceField(required=False, choices=[("", "Any phase"), *EngagementPhase.choices])
    consultant = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Any consultant")
    overdue = forms.BooleanField(required=False, label="Only with overdue initiatives")
    order = forms.ChoiceField(
        required=False,
        label="Sort by",
        choices=[
            ("name", "Name"),
            ("phase", "Phase"),
            ("gap", "Weighted gap (worst first)"),
            ("nps", "NPS (lowest first)"),
            ("overdue", "Overdue initiatives"),
            ("activity", "Last activity"),
        ],
    )

    def __init__(self, *args: Any, consultants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = consultants  # type: ignore[attr-defined]


class EngagementTemplateForm(forms.Form):
    name = forms.CharField(max_length=120, label="Template name")
    description = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AccountForm(forms.Form):
    full_name = forms.CharField(max_length=150, required=False, label="Your name")
    wants_digest = forms.BooleanField(
        required=False,
        label="Send me the weekly digest",
        help_text="Monday mornings, for clients where you are a leader: initiatives due, new reports, "
        "surveys in progress.",
    )


class AuditFilterForm(forms.Form):
    area = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Everything"),
            ("diagnostics", "Journey maps, scoring and plan"),
            ("surveys", "Surveys"),
            ("reports", "Reports"),
            ("access", "Access and settings"),
        ],
    )
    actor = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Anyone", label="Who")

    def __init__(self, *args: Any, actors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = actors  # type: ignore[attr-defined]


class ClientDeleteForm(forms.Form):
    confirm_slug = forms.CharField(max_length=40, label="Type the client's address to confirm")


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. “BI export”.")
