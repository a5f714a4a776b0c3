"""The respondent pages: answering page by page, resuming, validation, completing once, closing."""

import pytest
from django.test import Client as DjangoClient

from surveys.models import Answer, Invitation, InvitationState, Question, Response
from surveys.services.campaigns import campaign_close
from tests.conftest import host_of
from tests.surveys.conftest import build_questionnaire, full_page_answers, launched_invitation


@pytest.fixture
def survey(in_alpha, consultant):
    questionnaire = build_questionnaire()
    invitation, token = launched_invitation(in_alpha, consultant, questionnaire=questionnaire)
    Invitation.objects.filter(pk=invitation.pk).update(state=InvitationState.SENT)
    return questionnaire, invitation, f"/s/{token}/"


def test_opening_the_link_shows_the_first_page_and_marks_the_invitation_opened(survey, host_client, alpha):
    _questionnaire, invitation, url = survey
    page = host_client(alpha).get(url)
    assert page.status_code == 200
    assert b"Page 1 of 2" in page.content
    assert b"The company performs the service right the first time." in page.content
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.OPENED and invitation.opened_at is not None


def test_answering_every_page_completes_the_survey_and_shows_the_thank_you_text(survey, host_client, alpha):
    questionnaire, invitation, url = survey
    browser = host_client(alpha)
    first = browser.post(url, full_page_answers(questionnaire, 0))
    assert first.status_code == 302 and "page=1" in first["Location"]
    second = browser.post(url, full_page_answers(questionnaire, 1), follow=True)
    assert b"Thank you" in second.content
    assert b"your answers help us improve" in second.content
    response = Response.objects.get(invitation=invitation)
    assert response.status == Response.Status.COMPLETED and response.completed_at is not None
    pair = Answer.objects.get(response=response, question__item_key="SQ01")
    assert (pair.expectation, pair.value) == (6, 4)
    assert Answer.objects.get(response=response, question__item_key="IMP").allocation["reliability"] == 40
    assert Answer.objects.get(response=response, question__item_key="CH2").choices == ["Mobile", "Broadband"]
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.COMPLETED


def test_saving_the_first_page_marks_the_invitation_started(survey, host_client, alpha):
    questionnaire, invitation, url = survey
    host_client(alpha).post(url, full_page_answers(questionnaire, 0))
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.STARTED and invitation.started_at is not None


def test_a_respondent_who_leaves_resumes_on_the_next_page_from_the_same_link(survey, host_client, alpha):
    questionnaire, _invitation, url = survey
    host_client(alpha).post(url, full_page_answers(questionnaire, 0))
    later = DjangoClient(HTTP_HOST="alpha.localhost").get(url)  # another device, no cookies
    assert b"Page 2 of 2" in later.content
    assert b"How satisfied are you overall?" in later.content


def test_back_navigation_shows_the_saved_answers_of_the_earlier_page(survey, host_client, alpha):
    questionnaire, _invitation, url = survey
    browser = host_client(alpha)
    browser.post(url, full_page_answers(questionnaire, 0))
    page_two = browser.get(url)
    assert b'rel="prev"' in page_two.content
    back = browser.get(url + "?page=0")
    nps = Question.objects.get(questionnaire=questionnaire, item_key="NPS")
    assert f'name="q{nps.pk}" value="9" checked'.encode() in back.content


def test_skipping_ahead_by_url_shows_the_furthest_page_reached(survey, host_client, alpha):
    _questionnaire, _invitation, url = survey
    page = host_client(alpha).get(url + "?page=1")
    assert b"Page 1 of 2" in page.content


def test_a_missing_required_answer_is_shown_inline_and_keeps_the_other_answers(survey, host_client, alpha):
    questionnaire, invitation, url = survey
    data = full_page_answers(questionnaire, 0)
    nps = Question.objects.get(questionnaire=questionnaire, item_key="NPS")
    likert = Question.objects.get(questionnaire=questionnaire, item_key="L1")
    del data[f"q{nps.pk}"]
    page = host_client(alpha).post(url, data)
    assert page.status_code == 200
    assert b"Please answer this question." in page.content
    assert f'name="q{likert.pk}" value="4" checked'.encode() in page.content
    assert not Response.objects.filter(invitation=invitation).exists()


def test_a_value_outside_the_scale_is_rejected_as_tampering_and_nothing_is_stored(survey, host_client, alpha):
    questionnaire, _invitation, url = survey
    data = full_page_answers(questionnaire, 0)
    nps = Question.objects.get(questionnaire=questionnaire, item_key="NPS")
    data[f"q{nps.pk}"] = "11"
    page = host_client(alpha).post(url, data)
    assert page.status_code == 400
    assert b"Choose a number from 0 to 10." in page.content
    assert not Answer.objects.exists()


def test_an_answer_to_a_question_of_another_questionnaire_is_rejected(survey, host_client, alpha):
    questionnaire, _invitation, url = survey
    other = Question.objects.get(questionnaire=build_questionnaire(name="Other"), item_key="NPS")
    data = {**full_page_answers(questionnaire, 0), f"q{other.pk}": "5"}
    page = host_client(alpha).post(url, data)
    assert page.status_code == 400
    assert not Answer.objects.exists()


def test_an_unknown_choice_is_rejected(survey, host_client, alpha):
    questionnaire, _invitation, url = survey
    browser = host_client(alpha)
    browser.post(url, full_page_answers(questionnaire, 0))
    data = full_page_answers(questionnaire, 1)
    single = Question.objects.get(questionnaire=questionnaire, item_key="CH1")
    data[f"q{single.pk}"] = "Carrier pigeon"
    page = browser.post(url, data)
    assert page.status_code == 400
    assert not Answer.objects.filter(question=single).exists()


def test_importance_points_must_add_up_to_100(survey, host_client, alpha):
    questionnaire, invitation, url = survey
    browser = host_client(alpha)
    browser.post(url, full_page_answers(questionnaire, 0))
    data = full_page_answers(questionnaire, 1)
    importance = Question.objects.get(questionnaire=questionnaire, item_key="IMP")
    data[f"q{importance.pk}.tangibles"] = "50"
    page = browser.post(url, data)
    assert page.status_code == 200
    assert b"The points must add up to 100 (now 140)." in page.content
    assert Response.objects.get(invitation=invitation).status == Response.Status.IN_PROGRESS


def test_submitting_the_last_page_twice_stores_nothing_twice_and_says_so(survey, host_client, alpha):
    questionnaire, invitation, url = survey
    browser = host_client(alpha)
    browser.post(url, full_page_answers(questionnaire, 0))
    browser.post(url, full_page_answers(questionnaire, 1))
    answers_before = Answer.objects.count()
    again = browser.post(url, full_page_answers(questionnaire, 1))
    assert again.status_code == 200
    assert b"You have already completed this survey" in again.content
    assert Answer.objects.count() == answers_before
    assert Response.objects.filter(invitation=invitation).count() == 1


def test_two_tabs_saving_the_same_page_keep_one_response_with_the_latest_answers(survey, host_client, alpha):
    questionnaire, invitation, url = survey
    first_tab, second_tab = host_client(alpha), host_client(alpha)
    first_tab.post(url, full_page_answers(questionnaire, 0))
    data = full_page_answers(questionnaire, 0)
    nps = Question.objects.get(questionnaire=questionnaire, item_key="NPS")
    data[f"q{nps.pk}"] = "3"
    second_tab.post(url, data)
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert Answer.objects.filter(question=nps).get().value == 3
    assert Answer.objects.count() == 3


def test_a_submit_after_the_campaign_closed_says_so_and_keeps_the_saved_page(survey, host_client, alpha, consultant):
    questionnaire, invitation, url = survey
    browser = host_client(alpha)
    browser.post(url, full_page_answers(questionnaire, 0))
    campaign_close(campaign=invitation.campaign, client=alpha, acting_user=consultant)
    late = browser.post(url, full_page_answers(questionnaire, 1))
    assert late.status_code == 200
    assert b"This survey has closed" in late.content
    assert b"The answers you saved before it closed have been kept." in late.content
    assert Answer.objects.count() == 3
    assert Response.objects.get().status == Response.Status.IN_PROGRESS


def test_question_text_is_escaped_on_the_page(in_alpha, consultant, host_client, alpha):
    questionnaire = build_questionnaire(full=False)
    Question.objects.filter(questionnaire=questionnaire).update(text="<script>alert(1)</script>")
    _invitation, token = launched_invitation(in_alpha, consultant, questionnaire=questionnaire)
    page = host_client(alpha).get(f"/s/{token}/")
    assert b"<script>alert(1)</script>" not in page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.content


def test_the_page_is_in_the_respondents_language(in_alpha, consultant, host_client, alpha):
    _invitation, token = launched_invitation(in_alpha, consultant, language="es")
    page = host_client(alpha).get(f"/s/{token}/")
    assert b'lang="es"' in page.content
    assert "Página 1 de 2".encode() in page.content
    assert b"Siguiente" in page.content


def test_the_language_switcher_changes_the_language(in_alpha, consultant, host_client, alpha):
    _invitation, token = launched_invitation(in_alpha, consultant, language="es")
    page = host_client(alpha).get(f"/s/{token}/?lang=fr")
    assert b"Page 1 sur 2" in page.content
    assert b"Suivant" in page.content


def test_the_page_hides_its_token_from_other_sites_yet_its_own_form_passes_the_csrf_check(survey, alpha):
    questionnaire, invitation, url = survey
    host = host_of(alpha)
    browser = DjangoClient(enforce_csrf_checks=True, HTTP_HOST=host)
    page = browser.get(url)
    # "no-referrer" would make browsers send `Origin: null` with the form's POST, which CSRF refuses.
    assert page["Referrer-Policy"] == "same-origin"
    data = {**full_page_answers(questionnaire, 0), "csrfmiddlewaretoken": browser.cookies["csrftoken"].value}
    saved = browser.post(url, data, HTTP_ORIGIN=f"http://{host}")
    assert saved.status_code in (200, 302)
    assert Response.objects.get(invitation=invitation).current_page == 1
