"""Demo content of the design half for the demo clients: questionnaires and the people to survey.

A consultant opening the demo finds a SERVQUAL questionnaire worded for the client's industry
(with the importance question), its staff mirror, a journey pulse generated from the client's
journey map (when the diagnostics demo made one), about 200 customers in three segments with
signup and purchase dates, about 40 staff by department, and a couple of opt-outs. Each part is
created once: running the seed again changes nothing. `surveys/demo.py` calls `seed_client`.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from typing import Any

from django.utils import timezone

from accounts.models import Client, User
from diagnostics.models import JourneyMap
from surveys import question_library
from surveys.models import Audience, OptOut, Questionnaire, Respondent
from surveys.services import questionnaires as questionnaire_services
from surveys.services import respondents as respondent_services

CUSTOMERS, STAFF = 200, 40
FIRST_NAMES = (
    "Amara", "Ben", "Chloé", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Keiko", "Liam",
    "Maya", "Noah", "Olivia", "Pablo", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wen", "Yusuf", "Zoë",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Brown", "Castillo", "Dubois", "Evans", "Fischer", "García", "Hughes", "Ito", "Jensen",
    "Kowalski", "Lambert", "Martin", "Nakamura", "O'Brien", "Patel", "Rossi", "Smith", "Torres", "Weber",
)  # fmt: skip
STAFF_DEPARTMENTS = ("Customer care", "Field service", "Sales", "Billing", "Digital")


# What each demo client sells, in the words its questionnaires use.
PROFILES: dict[str, dict[str, Any]] = {
    "acme": {
        "industry": "telecom providers",
        "segments": ("Consumer", "Small business", "Enterprise"),
        "plans": ("Fibre 500", "Mobile unlimited", "Business bundle"),
        "company_names": ("Brightside Dental", "Northwind Cafés", "Harbour Logistics", "Pine & Co Architects"),
    },
    "globex": {
        "industry": "banks",
        "segments": ("Everyday banking", "Premier", "Small business"),
        "plans": ("Current account", "Mortgage", "Business loan"),
        "company_names": ("Greenleaf Bakery", "Atlas Plumbing", "Blue Harbour Studio", "Fennel Health"),
    },
}
DEFAULT_PROFILE: dict[str, Any] = {
    "industry": "companies",
    "segments": ("Consumer", "Small business", "Enterprise"),
    "plans": ("Standard", "Plus", "Premium"),
    "company_names": ("Example Ltd", "Sample & Sons", "Demo Works", "Placeholder Inc"),
}


def seed_client(*, client: Client, users: dict[str, User]) -> None:
    """Create the demo questionnaires and respondents of one client (inside its schema)."""
    consultant = users["consultant"]
    profile = PROFILES.get(client.slug, DEFAULT_PROFILE)
    servqual = _servqual(client=client, consultant=consultant, profile=profile)
    _staff_mirror(client=client, consultant=consultant, servqual=servqual)
    _journey_pulse(client=client, consultant=consultant)
    _people(client=client, consultant=consultant, profile=profile)


def _servqual(*, client: Client, consultant: User, profile: dict[str, Any]) -> Questionnaire:
    name = f"{client.name} service quality (SERVQUAL)"
    existing = Questionnaire.objects.filter(name=name).order_by("-version").first()
    if existing is not None:
        return existing
    questionnaire = questionnaire_services.questionnaire_create_from_template(
        client=client,
        acting_user=consultant,
        template="servqual",
        name=name,
        industry=profile["industry"],
        include_importance=True,
    )
    # A consultant's usual closing page: the relationship questions the cockpit and reports headline.
    overall = questionnaire_services.question_page_create(
        client=client, acting_user=consultant, questionnaire=questionnaire, title="Overall"
    )
    for spec in (question_library.NPS, question_library.CSAT, question_library.CES):
        questionnaire_services.question_create(
            client=client,
            acting_user=consultant,
            page=overall,
            kind=spec.kind,
            text=spec.text.format(company=client.name),
            item_key=spec.item_key,
            scale_min_label=spec.scale_min_label,
            scale_max_label=spec.scale_max_label,
        )
    return questionnaire_services.questionnaire_update(
        client=client,
        acting_user=consultant,
        questionnaire=questionnaire,
        intro_text=(
            f"Thank you for helping {client.name} improve. For each statement, tell us first what you expect of "
            f"excellent {profile['industry']}, then how {client.name} does. It takes about eight minutes."
        ),
        thank_you_text="Thank you! Your answers go straight into our improvement plan.",
    )


def _staff_mirror(*, client: Client, consultant: User, servqual: Questionnaire) -> None:
    if Questionnaire.objects.filter(mirror_of_family_uid=servqual.family_uid).exists():
        return
    questionnaire_services.questionnaire_create_staff_mirror(
        client=client,
        acting_user=consultant,
        questionnaire=servqual,
        name=f"{client.name} service quality — staff mirror",
    )


def _journey_pulse(*, client: Client, consultant: User) -> None:
    """A CSAT-per-touchpoint pulse from the first journey map, if the diagnostics demo made one."""
    journey_map = JourneyMap.objects.filter(is_archived=False, stages__isnull=False).order_by("id").distinct().first()
    if journey_map is None:
        return
    name = f"{journey_map.name} — journey pulse"
    if Questionnaire.objects.filter(name=name).exists():
        return
    questionnaire_services.questionnaire_generate_from_journey_map(
        client=client, acting_user=consultant, journey_map=journey_map, name=name, include_nps=True
    )


def _people(*, client: Client, consultant: User, profile: dict[str, Any]) -> None:
    if Respondent.objects.exists():
        return
    chooser = random.Random(f"cxgap-demo-{client.slug}")  # reproducible demo data, not secrets
    today = timezone.localdate()
    customers = []
    for number in range(CUSTOMERS):
        first, last = chooser.choice(FIRST_NAMES), chooser.choice(LAST_NAMES)
        segment = chooser.choices(profile["segments"], weights=(6, 3, 1))[0]
        signup = today - datetime.timedelta(days=chooser.randint(30, 900))
        purchase = max(signup, today - datetime.timedelta(days=chooser.randint(1, 120)))
        row = {
            "email": f"{_ascii(first)}.{_ascii(last)}.{number}@{client.slug}-customers.example",
            "first_name": first,
            "last_name": last,
            "segment": segment,
            "language": chooser.choices(("en", "fr", "es"), weights=(8, 1, 1))[0],
            "signup_date": signup.isoformat(),
            "purchase_date": purchase.isoformat(),
            "plan": chooser.choice(profile["plans"]),
        }
        if segment != profile["segments"][0]:
            row["company"] = chooser.choice(profile["company_names"])
        customers.append(row)
    staff = []
    for number in range(STAFF):
        first, last = chooser.choice(FIRST_NAMES), chooser.choice(LAST_NAMES)
        department = STAFF_DEPARTMENTS[number % len(STAFF_DEPARTMENTS)]
        staff.append(
            {
                "email": f"{_ascii(first)}.{_ascii(last)}.{number}@{client.slug}-staff.example",
                "first_name": first,
                "last_name": last,
                "company": client.name,
                "segment": department,
                "hire_date": (today - datetime.timedelta(days=chooser.randint(60, 3000))).isoformat(),
                "customer_facing": "yes" if department in ("Customer care", "Field service", "Sales") else "no",
            }
        )
    respondent_services.respondent_rows_import(
        client=client, acting_user=consultant, rows=customers, audience=Audience.CUSTOMERS
    )
    respondent_services.respondent_rows_import(
        client=client, acting_user=consultant, rows=staff, audience=Audience.STAFF
    )
    if not OptOut.objects.exists():
        # Two customers who asked not to be surveyed again (one by the email link, one by phone).
        respondent_services.optout_record(email=customers[7]["email"], source="link", client=client)
        respondent_services.optout_record(
            email=customers[42]["email"], source="manual", acting_user=consultant, client=client
        )


def _ascii(name: str) -> str:
    """A name as the local part of an email address: “Chloé O'Brien” → chloe, obrien."""
    decomposed = unicodedata.normalize("NFKD", name.lower())
    return "".join(character for character in decomposed if character.isascii() and character.isalpha())
