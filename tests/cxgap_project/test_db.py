"""commit_then: the action runs while the COMMIT is in flight, and the commit's outcome is reported."""

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from psycopg import pq

from cxgap_project.db import PreparedQuery, commit_then, fetched_together, run_together, update_statement

TransactionStatus = pq.TransactionStatus


@pytest.fixture
def probe_table(live_db: None) -> Iterator[str]:
    """A table whose foreign key is checked only at COMMIT, so a commit can be made to fail."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE commit_probe (id int PRIMARY KEY, "
            "parent int REFERENCES commit_probe (id) DEFERRABLE INITIALLY DEFERRED)"
        )
    yield "commit_probe"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE commit_probe")


def _rows() -> list[tuple[int, int | None]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, parent FROM commit_probe ORDER BY id")
        return list(cursor.fetchall())


def _status() -> TransactionStatus:
    return TransactionStatus(connection.connection.pgconn.transaction_status)


def test_the_action_runs_while_the_commit_is_in_flight_and_the_transaction_is_committed(probe_table):
    seen: list[TransactionStatus] = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO commit_probe VALUES (1, NULL)")

        def action() -> str:
            seen.append(_status())
            return "done"

        result = commit_then(action)
        # Committed before Django's own commit at the end of the block (which has nothing to do).
        assert _status() == TransactionStatus.IDLE
    assert result == "done"
    assert seen == [TransactionStatus.ACTIVE]  # COMMIT sent, its reply not read yet
    assert _rows() == [(1, None)]


def test_a_failing_commit_is_raised_after_the_action_and_nothing_is_kept(probe_table):
    ran = []
    with pytest.raises(IntegrityError, match="commit_probe"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO commit_probe VALUES (1, 99)")  # no row 99: fails at COMMIT
        commit_then(lambda: ran.append(True))
    assert ran == [True]
    assert _rows() == []
    with transaction.atomic(), connection.cursor() as cursor:  # the connection is usable again
        cursor.execute("INSERT INTO commit_probe VALUES (2, NULL)")
    assert _rows() == [(2, None)]


def test_inside_a_nested_block_it_only_runs_the_action(probe_table):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO commit_probe VALUES (1, NULL)")
        with transaction.atomic():
            assert commit_then(lambda: 42) == 42
            assert _status() == TransactionStatus.INTRANS  # still the outer transaction
        transaction.set_rollback(True)
    assert _rows() == []


# --- several statements in one round trip ----------------------------------------------------


def _field_values(instance: Any) -> dict[str, Any]:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_fetched_together_gives_what_the_querysets_give(in_alpha, django_assert_num_queries):
    from surveys.models import Question, QuestionPage
    from tests.surveys.conftest import build_questionnaire

    questionnaire = build_questionnaire()  # questions with JSON options, choices and dates
    questions = Question.objects.filter(questionnaire=questionnaire).order_by("pk")
    pages = QuestionPage.objects.filter(questionnaire=questionnaire).order_by("position")
    # one statement (plus django-tenants' SET search_path) for both
    with django_assert_num_queries(2):
        fetched_questions, fetched_pages = fetched_together(questions, pages.only("key"))
    assert [_field_values(q) for q in fetched_questions] == [_field_values(q) for q in questions]
    assert [page.key for page in fetched_pages] == [page.key for page in pages]
    assert "title" in fetched_pages[0].get_deferred_fields()


def test_a_statement_after_a_lock_sees_what_was_committed_while_the_lock_was_awaited(live_db):
    """As with separate queries: two simultaneous first submits must not both find no response."""
    from accounts.models import User

    holder = User.objects.create_user("lock-holder@cxgap.test", "x" * 12)
    locked = threading.Event()

    def hold_the_lock_then_add_a_user() -> None:
        try:
            with transaction.atomic():
                User.objects.select_for_update().get(pk=holder.pk)
                locked.set()
                time.sleep(0.5)
                User.objects.create_user("added-meanwhile@cxgap.test", "x" * 12)
        finally:
            connection.close()

    other = threading.Thread(target=hold_the_lock_then_add_a_user)
    other.start()
    try:
        assert locked.wait(10)
        with transaction.atomic():
            _locked, added = fetched_together(
                User.objects.select_for_update().filter(pk=holder.pk),
                User.objects.filter(email="added-meanwhile@cxgap.test"),
            )
        assert [user.email for user in added] == ["added-meanwhile@cxgap.test"]
    finally:
        other.join()
        User.objects.filter(email__in=["lock-holder@cxgap.test", "added-meanwhile@cxgap.test"]).delete()


def test_updates_run_together_in_one_round_trip(in_alpha, django_assert_num_queries):
    from surveys.models import Question
    from tests.surveys.conftest import build_questionnaire

    first, second = Question.objects.filter(questionnaire=build_questionnaire()).order_by("pk")[:2]
    with django_assert_num_queries(2):
        run_together(
            update_statement(Question.objects.filter(pk=first.pk), text="First, reworded"),
            update_statement(Question.objects.filter(pk=second.pk), text="Second, 100% reworded", is_required=False),
        )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.text, second.text, second.is_required) == ("First, reworded", "Second, 100% reworded", False)


def test_a_prepared_query_builds_what_the_orm_builds_for_each_value(in_alpha, consultant):
    from surveys.models import Invitation, Response
    from tests.surveys.conftest import build_questionnaire, launched_invitation

    questionnaire = build_questionnaire()
    first, _token = launched_invitation(in_alpha, consultant, questionnaire=questionnaire)
    second = Invitation.objects.exclude(pk=first.pk).filter(campaign=first.campaign).first() or first
    Response.objects.create(
        invitation=first, campaign=first.campaign, questionnaire=questionnaire, respondent=first.respondent
    )

    def joined(token_hash: str) -> Any:
        return (
            Invitation.objects.select_related("campaign__questionnaire", "respondent", "response")
            .defer("token_salt", "campaign__send_days", "respondent__attributes")
            .filter(token_hash=token_hash)
        )

    prepared = PreparedQuery(joined, token_hash=str)
    for invitation in (first, second):
        (ours,) = prepared.run(token_hash=invitation.token_hash)
        (orm,) = joined(invitation.token_hash)
        assert ours.get_deferred_fields() == orm.get_deferred_fields() == {"token_salt"}
        assert _field_values_loaded(ours) == _field_values_loaded(orm)
        for related in ("campaign", "respondent"):
            assert getattr(ours, related).get_deferred_fields() == getattr(orm, related).get_deferred_fields()
            assert _field_values_loaded(getattr(ours, related)) == _field_values_loaded(getattr(orm, related))
        assert _field_values_loaded(ours.campaign.questionnaire) == _field_values_loaded(orm.campaign.questionnaire)
        assert hasattr(ours, "response") == hasattr(orm, "response")
    assert prepared.run(token_hash="no-such-hash") == []


def _field_values_loaded(instance: Any) -> dict[str, Any]:
    """The loaded fields only: reading a deferred one would load it."""
    deferred = instance.get_deferred_fields()
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in deferred
    }
