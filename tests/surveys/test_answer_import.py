"""Importing answers collected elsewhere: row-numbered errors, formula-like text, encodings, re-imports."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from surveys.models import Answer, Response
from surveys.services.campaigns import campaign_launch
from tests.surveys.conftest import build_questionnaire, make_campaign, make_respondent

HEADER = "email,completed_at,external_id,SQ01_E,SQ01_P,NPS,CH2,TXT\n"


@pytest.fixture
def campaign(in_alpha, consultant):
    make_respondent("ann@example.com", segment="gold")
    campaign = make_campaign(questionnaire=build_questionnaire())
    campaign_launch(campaign=campaign, client=in_alpha, acting_user=consultant)
    return campaign


def _upload(api, campaign, text, encoding="utf-8"):
    upload = SimpleUploadedFile("past.csv", text.encode(encoding), content_type="text/csv")
    return api.post(f"/api/v1/campaigns/{campaign.pk}/responses/import/", {"file": upload}, format="multipart")


def test_good_rows_are_imported_and_bad_rows_reported_by_number(campaign, api_client, alpha, consultant):
    text = HEADER + (
        "ann@example.com,2025-11-02,r1,6,4,9,Mobile;TV,Great\n"
        ",2025-11-03,r2,7,3,11,,\n"
        "nobody@example.com,2025-11-04,r3,5,5,8,,\n"
        "not-an-email,yesterday,r4,5,,8,Fax,\n"
        ",,r5,5,6,10,,\n"
    )
    report = _upload(api_client(alpha, consultant), campaign, text).json()
    assert report["imported"] == 2 and report["total_rows"] == 5
    assert [error["row"] for error in report["errors"]] == [3, 4, 5]
    assert "NPS" in report["errors"][0]["reason"]
    assert "no customers respondent nobody@example.com" in report["errors"][1]["reason"]
    assert "completed_at" in report["errors"][2]["reason"] and "CH2" in report["errors"][2]["reason"]
    ann = Response.objects.get(external_id="r1")
    assert ann.status == Response.Status.COMPLETED and ann.source == Response.Source.IMPORT
    assert ann.segment == "gold"
    pair = Answer.objects.get(response=ann, question__item_key="SQ01")
    assert (pair.expectation, pair.value) == (6, 4)


def test_importing_the_same_file_twice_adds_nothing(campaign, api_client, alpha, consultant):
    api = api_client(alpha, consultant)
    text = HEADER + "ann@example.com,2025-11-02,r1,6,4,9,,\n"
    _upload(api, campaign, text)
    again = _upload(api, campaign, text).json()
    assert again["imported"] == 0 and again["already_imported"] == 1
    assert Response.objects.filter(source="import").count() == 1


def test_formula_like_cells_are_stored_as_plain_text(campaign, api_client, alpha, consultant):
    text = HEADER + "ann@example.com,2025-11-02,r9,6,4,9,,\"=cmd|' /C calc'!A0\"\n"
    _upload(api_client(alpha, consultant), campaign, text)
    assert Answer.objects.get(question__item_key="TXT").text == "=cmd|' /C calc'!A0"


def test_a_file_that_is_not_utf8_is_refused_with_a_clear_message(campaign, api_client, alpha, consultant):
    text = HEADER + "ann@example.com,2025-11-02,r1,6,4,9,,Très bien\n"
    response = _upload(api_client(alpha, consultant), campaign, text, encoding="utf-16")
    assert response.status_code == 400
    assert "UTF-8" in response.json()["message"]
    assert not Response.objects.filter(source="import").exists()


def test_unknown_columns_are_named(campaign, api_client, alpha, consultant):
    response = _upload(api_client(alpha, consultant), campaign, "email,completed_at,SQ99_P\n")
    assert response.status_code == 400
    assert "SQ99_P" in response.json()["message"]


def test_a_servqual_pair_needs_both_halves(campaign, api_client, alpha, consultant):
    report = _upload(api_client(alpha, consultant), campaign, HEADER + ",2025-11-02,r1,6,,9,,\n").json()
    assert report["imported"] == 0 and "SQ01_E and SQ01_P" in report["errors"][0]["reason"]


def test_only_consultants_import(campaign, api_client, alpha, leader):
    assert _upload(api_client(alpha, leader), campaign, HEADER).status_code == 403


def test_answers_cannot_be_imported_into_a_draft(in_alpha, api_client, alpha, consultant):
    draft = make_campaign()
    response = _upload(api_client(alpha, consultant), draft, "email,NPS\n,9\n")
    assert response.status_code == 409
