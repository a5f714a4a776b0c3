"""Adding, editing and deleting respondents; the permanent opt-out list."""

import hashlib

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from cxgap_project.errors import ApplicationError, ConflictError
from surveys.models import OptOut, Respondent, Response
from surveys.selectors.respondents import optout_summary, respondent_anchor_names, respondent_list
from surveys.services import respondents as services
from tests.surveys.conftest import QuestionnaireFactory, RespondentFactory, campaign_using


def test_opt_out_hash_is_sha256_of_the_trimmed_lower_cased_email():
    assert services.optout_email_hash("  Ann@Example.COM ") == hashlib.sha256(b"ann@example.com").hexdigest()


def test_opt_out_is_recorded_once_and_audited_once(in_alpha):
    first = services.optout_record(email="ann@example.com", source="link")
    again = services.optout_record(email="ANN@example.com", source="one_click")
    assert first.pk == again.pk
    assert (OptOut.objects.count(), first.source) == (1, "link")
    assert AuditEvent.objects.filter(client=in_alpha, action="optout.create").count() == 1


def test_has_opted_out_ignores_case_and_spaces(in_alpha):
    services.optout_record(email="ann@example.com", source="complaint")
    assert services.respondent_has_opted_out(email=" ANN@example.com")
    assert not services.respondent_has_opted_out(email="bob@example.com")


def test_opt_outs_are_per_client(in_alpha, beta):
    from django_tenants.utils import tenant_context

    services.optout_record(email="ann@example.com", source="link")
    with tenant_context(beta):
        assert not services.respondent_has_opted_out(email="ann@example.com")


def test_unknown_opt_out_source_is_refused(in_alpha):
    with pytest.raises(ApplicationError):
        services.optout_record(email="ann@example.com", source="whim")


def test_manual_opt_out_needs_a_valid_address(in_alpha, consultant):
    with pytest.raises(ApplicationError) as error:
        services.optout_add_manually(client=in_alpha, acting_user=consultant, email="nope")
    assert "email" in error.value.fields


def test_manual_opt_out_says_whether_it_is_new(in_alpha, consultant):
    _optout, is_new = services.optout_add_manually(client=in_alpha, acting_user=consultant, email="a@example.com")
    _optout, again = services.optout_add_manually(client=in_alpha, acting_user=consultant, email="a@example.com")
    assert (is_new, again) == (True, False)
    assert optout_summary().by_source == {"manual": 1}


def test_respondent_is_created_with_normalised_fields(in_alpha, consultant):
    respondent = services.respondent_create(
        client=in_alpha,
        acting_user=consultant,
        email="  Ann@Example.com ",
        first_name=" Ann ",
        language="fr-FR",
        anchor_dates={"purchase": "2026/01/31"},
        attributes={"tier": 2},
    )
    assert (respondent.email, respondent.first_name, respondent.language) == ("ann@example.com", "Ann", "fr")
    assert (respondent.anchor_dates, respondent.attributes) == ({"purchase": "2026-01-31"}, {"tier": "2"})


def test_new_respondents_speak_the_clients_language_by_default(in_alpha, consultant):
    assert services.respondent_create(client=in_alpha, acting_user=consultant, email="a@example.com").language == "en"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@example.com", "language": "de"}, "language"),
        ({"email": "a@example.com", "anchor_dates": {"purchase": "31/01/2026"}}, "anchor_dates"),
        ({"email": "a@example.com", "anchor_dates": {"Bad Name": "2026-01-31"}}, "anchor_dates"),
        ({"email": "a@example.com", "attributes": {"x": {"nested": 1}}}, "attributes"),
        ({"email": "a@example.com", "first_name": "x" * 101}, "first_name"),
    ],
)
def test_invalid_respondent_fields_are_field_errors(in_alpha, consultant, fields, field):
    with pytest.raises(ValidationError) as error:
        services.respondent_create(client=in_alpha, acting_user=consultant, **fields)
    assert field in error.value.message_dict
    assert not Respondent.objects.exists()


def test_an_email_already_on_file_is_a_field_error(in_alpha, consultant):
    RespondentFactory.create(email="a@example.com")
    with pytest.raises(ValidationError) as error:
        services.respondent_create(client=in_alpha, acting_user=consultant, email="A@example.com")
    assert "email" in error.value.message_dict


def test_an_opted_out_address_cannot_be_added_again(in_alpha, consultant):
    services.optout_record(email="gone@example.com", source="link")
    with pytest.raises(ValidationError) as error:
        services.respondent_create(client=in_alpha, acting_user=consultant, email="gone@example.com")
    assert "opted out" in error.value.message_dict["email"][0]


def test_update_changes_fields_and_audits_them(in_alpha, consultant):
    respondent = RespondentFactory.create(segment="retail")
    services.respondent_update(client=in_alpha, acting_user=consultant, respondent=respondent, segment="vip")
    respondent.refresh_from_db()
    assert respondent.segment == "vip"
    event = AuditEvent.objects.get(client=in_alpha, action="respondent.update")
    assert event.changes == {"segment": ["retail", "vip"]}


def test_a_respondent_without_answers_can_be_deleted(in_alpha, consultant):
    respondent = RespondentFactory.create()
    services.respondent_delete(client=in_alpha, acting_user=consultant, respondent=respondent)
    assert not Respondent.objects.exists()


def test_a_respondent_with_answers_is_kept(in_alpha, consultant):
    respondent = RespondentFactory.create()
    questionnaire = QuestionnaireFactory.create()
    Response.objects.create(campaign=campaign_using(questionnaire), questionnaire=questionnaire, respondent=respondent)
    with pytest.raises(ConflictError, match="Erase"):
        services.respondent_delete(client=in_alpha, acting_user=consultant, respondent=respondent)
    assert Respondent.objects.filter(pk=respondent.pk).exists()


def test_list_filters_by_opt_out_and_bounce(in_alpha):
    from django.utils import timezone

    RespondentFactory.create(email="stay@example.com")
    RespondentFactory.create(email="gone@example.com")
    RespondentFactory.create(email="bounced@example.com", bounced_at=timezone.now())
    services.optout_record(email="gone@example.com", source="link")
    assert [r.email for r in respondent_list(opted_out=True)] == ["gone@example.com"]
    assert [r.email for r in respondent_list(bounced=True)] == ["bounced@example.com"]
    assert [r.email for r in respondent_list(opted_out=False, bounced=False)] == ["stay@example.com"]


def test_list_searches_names_and_filters_audience_and_segment(in_alpha):
    RespondentFactory.create(email="a@example.com", first_name="Zelda", segment="b2b")
    RespondentFactory.create(email="b@example.com", first_name="Bob", segment="b2b", audience="staff")
    RespondentFactory.create(email="c@example.com", first_name="Cy", segment="retail")
    assert [r.email for r in respondent_list(search="zel")] == ["a@example.com"]
    assert [r.email for r in respondent_list(segment="b2b", audience="customers")] == ["a@example.com"]


def test_anchor_names_in_use_are_listed(in_alpha):
    RespondentFactory.create(anchor_dates={"purchase": "2026-01-01", "signup": "2025-01-01"})
    RespondentFactory.create(anchor_dates={"purchase": "2026-02-01"})
    assert respondent_anchor_names() == ["purchase", "signup"]
