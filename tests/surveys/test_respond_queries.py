"""Query counts of one respondent page submit (bench/respondent_submit_bench.py measures its speed).

The counts include django-tenants' `SET search_path` before each query: the real statements are
half of them.
"""

import pytest

from surveys.models import Invitation, InvitationState
from tests.surveys.conftest import build_questionnaire, full_page_answers, launched_invitation


@pytest.fixture
def survey(in_alpha, consultant):
    questionnaire = build_questionnaire()
    invitation, token = launched_invitation(in_alpha, consultant, questionnaire=questionnaire)
    Invitation.objects.filter(pk=invitation.pk).update(state=InvitationState.SENT)
    return questionnaire, f"/s/{token}/"


def test_saving_the_first_page_takes_a_bounded_number_of_queries(
    survey, host_client, alpha, django_assert_max_num_queries
):
    questionnaire, url = survey
    browser, answers = host_client(alpha), full_page_answers(questionnaire, 0)
    # domain, invitation, pages and questions, lock invitation and response, insert the response,
    # upsert the answers, update the invitation, plus the savepoint and its release
    with django_assert_max_num_queries(22):
        reply = browser.post(url, answers)
    assert reply.status_code == 302


def test_completing_on_the_last_page_takes_a_bounded_number_of_queries(
    survey, host_client, alpha, django_assert_max_num_queries
):
    questionnaire, url = survey
    browser = host_client(alpha)
    browser.post(url, full_page_answers(questionnaire, 0))
    answers = full_page_answers(questionnaire, 1)
    # the pages come from the first submit (a frozen version's pages are shared per process); the
    # importance question on this page reads the dimension names, and completing reads which
    # questions were answered
    with django_assert_max_num_queries(22):
        reply = browser.post(url, answers)
    assert reply.status_code == 302
