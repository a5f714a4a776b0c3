"""Query counts of one respondent page submit (bench/respondent_submit_bench.py measures its speed).

The counts include django-tenants' `SET search_path` before each query: the real statements are
half of them.
"""

import pytest

from surveys.models import Invitation, InvitationState
from tests.surveys.conftest import build_questionnaire, full_page_answers, launched_invitation

# domain, invitation (one read), response answers, dimension names, marking the link opened; the
# pages come from the submit before; each statement follows a `SET search_path`
GET_PAGE_QUERIES = 16


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
    # domain, invitation, pages and questions (the first submit of this process), the locks of
    # invitation and response (one round trip), insert the response, upsert the answers, update
    # the invitation, plus the savepoint and its release
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
    # locks, the dimension names this page's importance question needs and the questions answered
    # so far are one round trip; the answers; closing the response and the invitation is one more
    with django_assert_max_num_queries(16) as captured:
        reply = browser.post(url, answers)
    assert reply.status_code == 302
    together = [q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(together) == 1 and together[0].count("; SELECT") == 3  # invitation, response, answers, names


def test_showing_a_page_takes_a_bounded_number_of_queries(survey, host_client, alpha, django_assert_max_num_queries):
    questionnaire, url = survey
    browser = host_client(alpha)
    browser.post(url, full_page_answers(questionnaire, 0))
    # The invitation is read once with its campaign, questionnaire, respondent and response; the
    # columns the page never uses are deferred, and none of them may load on its own.
    with django_assert_max_num_queries(GET_PAGE_QUERIES) as captured:
        reply = browser.get(f"{url}?page=1")
    assert reply.status_code == 200
    invitation_reads = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "surveys_invitation"')
    ]
    assert len(invitation_reads) == 1, invitation_reads
