"""Plan services: history of every change, status transitions, leader rights, owners, KPI records."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from cxgap_project.errors import ApplicationError, PermissionDeniedError
from diagnostics import services
from diagnostics.models import Dimension, InitiativeEvent
from tests.diagnostics.conftest import build_map


@pytest.fixture
def initiative(in_alpha, consultant, leader):
    world = build_map()
    return services.initiative_create(
        client=in_alpha,
        actor=consultant,
        title="Fix the install appointment",
        owner_user_id=leader.pk,
        gap_links=[services.GapLinkInput(stage=world.stages[1], dimension=Dimension.objects.get(key="reliability"))],
        kpi_name="Missed appointments",
        kpi_unit="%",
        kpi_baseline=Decimal("12"),
        kpi_target=Decimal("3"),
    )


def kinds(initiative):
    return list(InitiativeEvent.objects.filter(initiative=initiative).order_by("id").values_list("kind", flat=True))


def test_creating_records_a_history_entry_and_an_audit_entry(initiative, consultant):
    event = InitiativeEvent.objects.get(initiative=initiative)
    assert event.kind == "created" and event.actor_user_id == consultant.pk
    assert event.changes["title"] == [None, "Fix the install appointment"]
    assert AuditEvent.objects.filter(action="initiative.create", target_id=str(initiative.pk)).exists()


def test_links_to_a_stage_set_the_initiatives_journey_map(initiative):
    assert initiative.journey_map is not None
    assert initiative.gap_links.get().stage.name == "Buy"


def test_an_edit_records_each_changed_field_with_old_and_new_value(in_alpha, consultant, initiative):
    services.initiative_update(
        client=in_alpha, actor=consultant, initiative=initiative, impact=5, due_on=datetime.date(2026, 6, 30)
    )
    event = InitiativeEvent.objects.filter(initiative=initiative, kind="updated").get()
    assert event.changes == {"impact": [3, 5], "due_on": [None, "2026-06-30"]}


def test_status_moves_forward_one_step_and_is_recorded(in_alpha, consultant, initiative):
    services.initiative_status_change(
        client=in_alpha, actor=consultant, initiative=initiative, status="planned", note="Budget ok"
    )
    event = InitiativeEvent.objects.filter(initiative=initiative, kind="status").get()
    assert event.changes == {"status": ["proposed", "planned"], "note": "Budget ok"}


def test_skipping_a_status_is_a_clear_error(in_alpha, consultant, initiative):
    with pytest.raises(ApplicationError) as error:
        services.initiative_status_change(client=in_alpha, actor=consultant, initiative=initiative, status="done")
    assert "status" in error.value.fields
    initiative.refresh_from_db()
    assert initiative.status == "proposed"


def test_a_dropped_initiative_can_be_reopened_as_proposed(in_alpha, consultant, initiative):
    services.initiative_status_change(client=in_alpha, actor=consultant, initiative=initiative, status="dropped")
    services.initiative_status_change(client=in_alpha, actor=consultant, initiative=initiative, status="proposed")
    assert kinds(initiative) == ["created", "status", "status"]


def test_done_is_final(in_alpha, consultant, initiative):
    for status in ("planned", "in_progress", "done"):
        services.initiative_status_change(client=in_alpha, actor=consultant, initiative=initiative, status=status)
    with pytest.raises(ApplicationError):
        services.initiative_status_change(client=in_alpha, actor=consultant, initiative=initiative, status="dropped")


def test_the_owning_leader_updates_status_and_kpi(in_alpha, leader, initiative):
    services.initiative_status_change(client=in_alpha, actor=leader, initiative=initiative, status="planned")
    services.initiative_kpi_update(client=in_alpha, actor=leader, initiative=initiative, value=Decimal("9.5"))
    initiative.refresh_from_db()
    assert (initiative.status, initiative.kpi_current) == ("planned", Decimal("9.50"))
    assert InitiativeEvent.objects.filter(initiative=initiative, kind="kpi").get().changes == {
        "kpi_current": [None, "9.50"],
        "source": "manual",
    }


def test_a_leader_cannot_update_an_initiative_owned_by_someone_else(in_alpha, consultant, leader, viewer):
    other = services.initiative_create(client=in_alpha, actor=consultant, title="Not theirs", owner_user_id=viewer.pk)
    with pytest.raises(PermissionDeniedError):
        services.initiative_status_change(client=in_alpha, actor=leader, initiative=other, status="planned")
    with pytest.raises(PermissionDeniedError):
        services.initiative_kpi_update(client=in_alpha, actor=leader, initiative=other, value=1)


def test_leaders_comment_on_any_initiative_and_viewers_cannot(in_alpha, consultant, leader, viewer):
    other = services.initiative_create(client=in_alpha, actor=consultant, title="Not theirs")
    services.initiative_comment_add(client=in_alpha, actor=leader, initiative=other, body="Can we start in May?")
    assert kinds(other) == ["created", "comment"]
    with pytest.raises(PermissionDeniedError):
        services.initiative_comment_add(client=in_alpha, actor=viewer, initiative=other, body="Me too")


def test_an_owner_from_another_client_is_a_field_error(in_alpha, consultant, beta_leader):
    with pytest.raises(ApplicationError) as error:
        services.initiative_create(client=in_alpha, actor=consultant, title="X", owner_user_id=beta_leader.pk)
    assert "owner_user_id" in error.value.fields


def test_a_kpi_metric_must_name_something_that_exists(in_alpha, consultant):
    with pytest.raises(ApplicationError) as error:
        services.initiative_create(client=in_alpha, actor=consultant, title="X", kpi_metric="gap:dimension:nonexistent")
    assert "kpi_metric" in error.value.fields


def test_a_kpi_metric_of_a_stage_of_the_map_is_accepted(in_alpha, consultant):
    world = build_map()
    initiative = services.initiative_create(
        client=in_alpha,
        actor=consultant,
        title="X",
        journey_map=world.journey_map,
        kpi_metric=f"nps:stage:{world.stages[0].uid}",
    )
    assert initiative.kpi_metric.startswith("nps:stage:")


def test_gap_links_across_two_maps_are_refused(in_alpha, consultant):
    one, two = build_map(), build_map()
    with pytest.raises(ApplicationError) as error:
        services.initiative_create(
            client=in_alpha,
            actor=consultant,
            title="X",
            gap_links=[services.GapLinkInput(stage=one.stages[0]), services.GapLinkInput(stage=two.stages[0])],
        )
    assert "gap_links[1].stage" in error.value.fields


def test_the_system_records_a_kpi_value_from_a_report(in_alpha, initiative):
    services.initiative_kpi_record(initiative=initiative, value=4.25, source="report 12")
    event = InitiativeEvent.objects.filter(initiative=initiative, kind="kpi").get()
    assert (event.actor_user_id, event.actor_label, event.changes["source"]) == (None, "system", "report 12")
    assert AuditEvent.objects.filter(client=in_alpha, action="initiative.kpi", actor_label="system").exists()
