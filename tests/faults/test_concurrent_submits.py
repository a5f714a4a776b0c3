"""No answers lost: 200 respondents submit at once against a live gunicorn, some double-submitting,
while the Redis behind the broker (and cache) crashes and comes back in the middle of the run."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from django.utils.crypto import get_random_string
from django_tenants.utils import tenant_context

from surveys.links import invitation_token
from surveys.models import Answer, Invitation, InvitationState, Question, QuestionKind, Respondent, Response
from surveys.services.campaigns import campaign_launch
from tests.faults.conftest import host_header
from tests.surveys.conftest import build_questionnaire, make_campaign

RESPONDENTS = 200
PAGE_ONE_TWICE, LAST_PAGE_TWICE, RESUBMIT_AFTER_COMPLETING = 1, 2, 3  # respondent number % 5


def answers_of(number: int, questions: list[Question], page: int) -> dict[str, Any]:
    """What respondent `number` answers on a page of build_questionnaire(): different per person."""
    data: dict[str, Any] = {"page": str(page)}
    for question in questions:
        if question.page.position != page:
            continue
        name = f"q{question.pk}"
        kind = question.kind
        if kind == QuestionKind.SERVQUAL_PAIR:
            data[name], data[f"{name}e"] = str(1 + number % 7), str(1 + (number // 7) % 7)
        elif kind == QuestionKind.LIKERT or kind == QuestionKind.CSAT:
            data[name] = str(1 + number % 5)
        elif kind == QuestionKind.NPS:
            data[name] = str(number % 11)
        elif kind == QuestionKind.CES:
            data[name] = str(1 + number % 7)
        elif kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTI_CHOICE):
            data[name] = [question.options[number % len(question.options)]]
        elif kind == QuestionKind.IMPORTANCE:
            for key in question.options:
                data[f"{name}.{key}"] = "20"
        elif kind == QuestionKind.TEXT:
            data[name] = f"Respondent {number} says hello."
    return data


def stored_as_posted(answer: Answer) -> dict[str, Any]:
    """An answer row written back in the form's field names, to compare with what was posted."""
    name = f"q{answer.question_id}"
    kind = answer.question.kind
    if kind == QuestionKind.SERVQUAL_PAIR:
        return {name: str(answer.value), f"{name}e": str(answer.expectation)}
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTI_CHOICE):
        return {name: list(answer.choices)}
    if kind == QuestionKind.IMPORTANCE:
        return {f"{name}.{key}": str(points) for key, points in answer.allocation.items()}
    if kind == QuestionKind.TEXT:
        return {name: answer.text}
    return {name: str(answer.value)}


@dataclass
class Run:
    """What the respondents saw, shared by their threads."""

    base_url: str
    host: str
    statuses: list[tuple[int, str, int]] = field(default_factory=list)
    completed: int = 0
    completed_while_broker_down: int = 0
    broker_is_down: bool = False
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def browser(self, csrf: str) -> requests.Session:
        session = requests.Session()
        # A fresh connection per request: gunicorn closes idle keep-alive connections (after 2 s,
        # easily reached by 200 client threads on 2 cores), and a POST sent on one it has just
        # closed fails in the client ("Remote end closed connection") before reaching the app.
        session.headers.update({"Host": self.host, "X-CSRFToken": csrf, "Connection": "close"})
        session.cookies.set("csrftoken", csrf)
        return session

    def post(self, session: requests.Session, number: int, url: str, data: dict[str, Any]) -> requests.Response:
        reply = session.post(self.base_url + url, data=data, allow_redirects=False, timeout=120)
        with self.lock:
            self.statuses.append((number, f"POST page {data['page']}", reply.status_code))
        return reply

    def post_twice_at_once(self, number: int, url: str, data: dict[str, Any], csrf: str) -> list[requests.Response]:
        """A double click: the same page sent twice on two connections at the same moment."""
        gate = threading.Barrier(2)
        replies: list[requests.Response] = []

        def send() -> None:
            session = self.browser(csrf)
            gate.wait(timeout=60)
            replies.append(self.post(session, number, url, data))

        twins = [threading.Thread(target=send) for _ in range(2)]
        for twin in twins:
            twin.start()
        for twin in twins:
            twin.join(timeout=180)
        return replies


def respond(run: Run, number: int, url: str, questions: list[Question]) -> None:
    csrf = get_random_string(32)
    session = run.browser(csrf)
    first = session.get(run.base_url + url, timeout=120)
    with run.lock:
        run.statuses.append((number, "GET", first.status_code))
    if first.status_code != 200:
        run.problems.append(f"respondent {number}: first page answered {first.status_code}")
        return
    page_one, last_page = answers_of(number, questions, 0), answers_of(number, questions, 1)
    if number % 5 == PAGE_ONE_TWICE:
        replies = run.post_twice_at_once(number, url, page_one, csrf)
    else:
        replies = [run.post(session, number, url, page_one)]
    if not any(reply.status_code == 302 for reply in replies):
        run.problems.append(f"respondent {number}: page 1 was not accepted ({[r.status_code for r in replies]})")
        return
    if number % 5 == LAST_PAGE_TWICE:
        replies = run.post_twice_at_once(number, url, last_page, csrf)
    else:
        replies = [run.post(session, number, url, last_page)]
    with run.lock:
        run.completed += 1
        run.completed_while_broker_down += int(run.broker_is_down)
    accepted = [reply for reply in replies if reply.status_code == 302]
    if len(accepted) < 1 or any(
        reply.status_code == 200 and b"already completed" not in reply.content for reply in replies
    ):
        run.problems.append(f"respondent {number}: completing answered {[r.status_code for r in replies]}")
    thanks = session.get(run.base_url + accepted[0].headers["Location"] if accepted else run.base_url + url)
    with run.lock:
        run.statuses.append((number, "GET thanks", thanks.status_code))
    if thanks.status_code != 200 or b"Thank you" not in thanks.content:
        run.problems.append(f"respondent {number}: no thank-you page after completing ({thanks.status_code})")
    if number % 5 == RESUBMIT_AFTER_COMPLETING:
        late = run.post(session, number, url, {**page_one, "q_changed": "1"})
        if late.status_code != 200 or b"already completed" not in late.content:
            run.problems.append(f"respondent {number}: a late resubmit answered {late.status_code}")


@pytest.mark.slow
def test_concurrent_submits_with_double_clicks_and_a_broker_crash_lose_no_answer(
    committed_client, private_redis, live_server_with
):
    client = committed_client
    with tenant_context(client):
        questionnaire = build_questionnaire()
        questions = list(Question.objects.filter(questionnaire=questionnaire).select_related("page"))
        Respondent.objects.bulk_create(
            [Respondent(email=f"person{number:03d}@example.com", first_name="P") for number in range(RESPONDENTS)]
        )
        campaign = make_campaign(questionnaire=questionnaire)
        campaign_launch(campaign=campaign, client=client, acting_user=client.test_consultant)
        numbers: dict[int | None, int] = {
            respondent.pk: int(re.sub(r"\D", "", respondent.email)) for respondent in Respondent.objects.all()
        }
        invitations = {
            numbers[invitation.respondent_id]: invitation for invitation in Invitation.objects.filter(campaign=campaign)
        }
        urls = {
            number: f"/s/{invitation_token(client=client, invitation=invitation)}/"
            for number, invitation in invitations.items()
        }
    assert len(urls) == RESPONDENTS

    server = live_server_with(redis_url=private_redis.url)
    run = Run(base_url=server.base_url(), host=host_header(client))
    with ThreadPoolExecutor(max_workers=RESPONDENTS) as pool:
        futures = [pool.submit(respond, run, number, url, questions) for number, url in urls.items()]
        # The broker (and cache) Redis crashes after a quarter of the completions and comes back,
        # empty, after about half of them.
        while run.completed < RESPONDENTS // 4 and not all(future.done() for future in futures):
            time.sleep(0.02)
        private_redis.stop()
        run.broker_is_down = True
        while run.completed < RESPONDENTS // 2 and not all(future.done() for future in futures):
            time.sleep(0.02)
        private_redis.start()
        run.broker_is_down = False
        for future in futures:
            future.result(timeout=300)

    errors = [entry for entry in run.statuses if entry[2] >= 500]
    assert not errors, f"server errors: {errors[:10]}"
    assert not run.problems, run.problems[:10]
    assert run.completed_while_broker_down > 0, "the broker outage should overlap some completions"

    with tenant_context(client):
        responses = list(Response.objects.filter(campaign=campaign))
        assert len(responses) == RESPONDENTS
        assert Counter(response.status for response in responses) == {Response.Status.COMPLETED: RESPONDENTS}
        assert Counter(Invitation.objects.filter(campaign=campaign).values_list("state", flat=True)) == {
            InvitationState.COMPLETED: RESPONDENTS
        }
        answers_by_response: dict[int, dict[str, Any]] = {}
        rows_by_response: Counter[int] = Counter()
        for answer in Answer.objects.filter(response__campaign=campaign).select_related("question"):
            answers_by_response.setdefault(answer.response_id, {}).update(stored_as_posted(answer))
            rows_by_response[answer.response_id] += 1
        for response in responses:
            number = numbers[response.respondent_id]
            posted = {**answers_of(number, questions, 0), **answers_of(number, questions, 1)}
            del posted["page"]
            assert rows_by_response[response.pk] == len(questions), f"respondent {number}: answer rows"
            assert answers_by_response[response.pk] == posted, f"respondent {number}: stored answers differ"

    # After the crash the web workers reconnect: the cockpit refresh a completion asks for is queued.
    assert private_redis.queue_length(server.queue) >= 1
