"""Erasing a respondent at a data-protection request: identity gone, ratings kept, reports unchanged."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django_tenants.utils import schema_context

from accounts.models import AuditEvent
from reports.models import GapReport
from surveys.models import Answer, InboundEvent, Invitation, InvitationState, OptOut, Respondent, Response
from surveys.services import respondents as services
from tests.surveys.conftest import build_questionnaire, full_page_answers, launched_invitation

EMAIL = "erin.erasure@example.com"


@pytest.fixture
def answered(in_alpha, consultant, host_client, alpha):
    """Erin, with a name, attributes and anchor dates, who answered every page (incl. free text)."""
    questionnaire = build_questionnaire()
    invitation, token = launched_invitation(
        in_alpha,
        consultant,
        questionnaire=questionnaire,
        email=EMAIL,
        first_name="Erin",
        last_name="Example",
        company="Erin's Bakery",
        segment="retail",
        attributes={"customer_no": "C-1234"},
        anchor_dates={"purchase": "2026-01-31"},
    )
    Invitation.objects.filter(pk=invitation.pk).update(state=InvitationState.SENT)
    browser = host_client(alpha)
    url = f"/s/{token}/"
    assert browser.post(url, full_page_answers(questionnaire, 0)).status_code == 302
    assert browser.post(url, full_page_answers(questionnaire, 1)).status_code == 302
    InboundEvent.objects.create(event_id="bounce-1", event_type="bounced", recipient=EMAIL, payload={"to": EMAIL})
    respondent = Respondent.objects.get(email=EMAIL)
    services.respondent_update(client=in_alpha, acting_user=consultant, respondent=respondent, company="Erin Bakes")
    return respondent, url


def _erase(client, consultant, respondent, **options):
    return services.respondent_erase(client=client, acting_user=consultant, respondent=respondent, **options)


def test_erasure_removes_everything_that_identifies_the_person(answered, in_alpha, consultant):
    respondent, _url = answered
    _erase(in_alpha, consultant, respondent)
    respondent.refresh_from_db()
    assert respondent.email == f"erased-{respondent.pk}@erased.invalid"
    assert (respondent.first_name, respondent.last_name, respondent.company) == ("", "", "")
    assert respondent.attributes == {} and respondent.anchor_dates == {}
    assert respondent.erased_at is not None
    assert respondent.segment == "retail"  # kept for report breakdowns
    assert not InboundEvent.objects.filter(recipient__iexact=EMAIL).exists()


def test_ratings_are_kept_and_free_text_is_blanked(answered, in_alpha, consultant):
    respondent, _url = answered
    response = Response.objects.get(respondent=respondent)
    ratings_before = list(Answer.objects.filter(response=response).order_by("pk").values_list("value", "expectation"))
    assert Answer.objects.filter(response=response).exclude(text="").exists()
    result = _erase(in_alpha, consultant, respondent)
    assert result.responses == 1 and result.texts_blanked == 1
    assert Response.objects.get(pk=response.pk).status == Response.Status.COMPLETED
    assert list(Answer.objects.filter(response=response).order_by("pk").values_list("value", "expectation")) == (
        ratings_before
    )
    assert not Answer.objects.filter(response=response).exclude(text="").exists()


def test_the_emailed_link_stops_working(answered, in_alpha, consultant, host_client, alpha):
    respondent, url = answered
    _erase(in_alpha, consultant, respondent)
    page = host_client(alpha).get(url)
    assert page.status_code == 404
    assert b"Erin" not in page.content


def test_an_opt_out_is_kept_and_can_be_added_with_the_erasure(answered, in_alpha, consultant):
    respondent, _url = answered
    result = _erase(in_alpha, consultant, respondent, never_survey_again=True)
    assert result.opted_out
    assert OptOut.objects.filter(email_hash=services.optout_email_hash(EMAIL), source="erasure").exists()
    with pytest.raises(ValidationError) as error:
        services.respondent_create(client=in_alpha, acting_user=consultant, email=EMAIL)
    assert "opted out" in str(error.value)


def test_without_an_opt_out_the_address_can_be_added_again_as_a_new_person(answered, in_alpha, consultant):
    respondent, _url = answered
    _erase(in_alpha, consultant, respondent)
    again = services.respondent_create(client=in_alpha, acting_user=consultant, email=EMAIL)
    assert again.pk != respondent.pk and again.first_name == ""


def test_the_erasure_is_audited_and_older_entries_no_longer_name_the_person(answered, in_alpha, consultant):
    respondent, _url = answered
    _erase(in_alpha, consultant, respondent)
    with schema_context("public"):
        events = AuditEvent.objects.filter(client=in_alpha)
        erasure = events.get(action="respondent.erase")
        assert erasure.target_id == str(respondent.pk) and erasure.changes["responses_kept"] == 1
        assert not events.filter(
            Q(target_label__icontains="erin") | Q(changes__icontains="erin") | Q(changes__icontains="Bakery")
        ).exists()


def test_erasing_twice_is_harmless(answered, in_alpha, consultant):
    respondent, _url = answered
    _erase(in_alpha, consultant, respondent)
    second = _erase(in_alpha, consultant, respondent)
    assert second.responses == 0
    with schema_context("public"):
        assert AuditEvent.objects.filter(client=in_alpha, action="respondent.erase").count() == 1


def test_an_erased_person_cannot_be_edited(answered, in_alpha, consultant, api_client, alpha):
    respondent, _url = answered
    _erase(in_alpha, consultant, respondent)
    response = api_client(alpha, consultant).patch(
        f"/api/v1/respondents/{respondent.pk}/", {"first_name": "Back"}, format="json"
    )
    assert response.status_code == 409
    respondent.refresh_from_db()
    assert respondent.first_name == ""


def test_counts_of_compiled_reports_do_not_change(in_alpha, consultant):
    from reports import services as report_services
    from tests.reports.conftest import answers_generated, build_survey, responses_generated

    survey = build_survey()
    responses_generated(survey.wave1, 8)
    answers_generated(survey.wave1)
    people = [Respondent.objects.create(email=f"p{number}@example.com") for number in range(8)]
    for person, response in zip(people, Response.objects.filter(campaign=survey.wave1), strict=True):
        Response.objects.filter(pk=response.pk).update(respondent=person)

    def compiled() -> GapReport:
        report = report_services.report_create(
            client=in_alpha, acting_user=consultant, title="Wave 1", campaign_ids=[survey.wave1.pk]
        )
        return report_services.report_compile(report_id=report.pk)

    before = compiled()
    snapshot = before.data
    for person in people[:3]:
        _erase(in_alpha, consultant, person)
    before.refresh_from_db()
    assert before.data == snapshot
    after = compiled()
    for part in ("overall", "by_dimension", "by_item", "waves"):
        assert after.data[part] == snapshot[part], part


# --- the page and the API -------------------------------------------------------------------


def test_the_page_asks_for_the_address_before_erasing(answered, host_client, alpha, consultant):
    respondent, _url = answered
    browser = host_client(alpha, consultant)
    page = browser.get(f"/surveys/respondents/{respondent.pk}/erase/")
    assert page.status_code == 200 and b"cannot be undone" in page.content
    wrong = browser.post(f"/surveys/respondents/{respondent.pk}/erase/", {"confirm_email": "someone@else.com"})
    assert wrong.status_code == 200 and b"not the address of the person" in wrong.content
    assert Respondent.objects.get(pk=respondent.pk).erased_at is None
    done = browser.post(f"/surveys/respondents/{respondent.pk}/erase/", {"confirm_email": EMAIL.upper()}, follow=True)
    assert b"The person was erased" in done.content and b"Erased on" in done.content
    page = done.content.decode()
    assert "Erase…" not in page and EMAIL not in page and "Bakery" not in page
    assert Respondent.objects.get(pk=respondent.pk).erased_at is not None
    listing = browser.get("/surveys/respondents/").content.decode()
    assert ">erased<" in listing and EMAIL not in listing


def test_only_consultants_open_the_erasure_page(answered, host_client, alpha, leader):
    respondent, _url = answered
    response = host_client(alpha, leader).post(f"/surveys/respondents/{respondent.pk}/erase/", {"confirm_email": EMAIL})
    assert response.status_code == 403
    assert Respondent.objects.get(pk=respondent.pk).erased_at is None


def test_the_api_needs_an_explicit_confirmation(answered, api_client, alpha, consultant):
    respondent, _url = answered
    url = f"/api/v1/respondents/{respondent.pk}/erase/"
    refused = api_client(alpha, consultant).post(url, {"confirm": False}, format="json")
    assert refused.status_code == 400 and "confirm" in refused.json()["extra"]["fields"]
    done = api_client(alpha, consultant).post(url, {"confirm": True, "never_survey_again": True}, format="json")
    assert done.status_code == 200
    body = done.json()
    assert body["respondent"]["email"].endswith("@erased.invalid") and body["respondent"]["erased_at"]
    assert (body["responses"], body["texts_blanked"], body["opted_out"]) == (1, 1, True)


def test_leaders_cannot_erase_through_the_api(answered, api_client, alpha, leader):
    respondent, _url = answered
    response = api_client(alpha, leader).post(
        f"/api/v1/respondents/{respondent.pk}/erase/", {"confirm": True}, format="json"
    )
    assert response.status_code == 403
    assert Respondent.objects.get(pk=respondent.pk).erased_at is None


def test_a_consultant_of_another_client_gets_404(answered, api_client, alpha, users):
    respondent, _url = answered
    response = api_client(alpha, users["beta_consultant"]).post(
        f"/api/v1/respondents/{respondent.pk}/erase/", {"confirm": True}, format="json"
    )
    assert response.status_code == 404
