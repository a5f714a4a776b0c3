"""Export a journey map as a document and import it into another client: round trip and validation."""

import copy

import pytest
from django_tenants.utils import tenant_context

from diagnostics import selectors, services
from diagnostics.models import Dimension, JourneyMap, Score, Stage, Touchpoint
from tests.diagnostics.conftest import AssessmentFactory, PersonaFactory, build_map, score


@pytest.fixture
def document(alpha, consultant):
    with tenant_context(alpha):
        world = build_map()
        PersonaFactory.create(journey_map=world.journey_map, name="Switcher", goals="Fast install")
        custom = services.dimension_create(client=alpha, actor=consultant, name="Financial success", key="financial")
        assessment = AssessmentFactory.create(journey_map=world.journey_map)
        score(assessment, world.stages[0], "reliability", "baseline", 3, rationale="Outages")
        score(assessment, world.stages[0], "reliability", "target", 6)
        Score.objects.create(
            assessment=assessment,
            stage=world.stages[0],
            touchpoint=world.touchpoints[0],
            dimension=custom,
            perspective="internal",
            value=5,
        )
        return selectors.journey_map_document(journey_map=world.journey_map)


def test_round_trip_recreates_the_map_with_new_uids_in_another_client(beta, users, document):
    with tenant_context(beta):
        imported = services.journey_map_import(client=beta, actor=users["beta_consultant"], document=document)
        again = selectors.journey_map_document(journey_map=imported)
        assert [s["name"] for s in again["stages"]] == [s["name"] for s in document["stages"]]
        assert [t["name"] for s in again["stages"] for t in s["touchpoints"]] == [
            t["name"] for s in document["stages"] for t in s["touchpoints"]
        ]
        assert again["personas"] == document["personas"]
        assert again["assessment"]["scores"][0]["rationale"] == "Outages"
        assert len(again["assessment"]["scores"]) == 3
        assert str(imported.source_uid) == document["journey_map"]["uid"]
        assert again["stages"][0]["uid"] != document["stages"][0]["uid"]
        assert Dimension.objects.get(key="financial").kind == "custom"


def test_importing_the_same_template_twice_does_not_collide(beta, users, document):
    with tenant_context(beta):
        services.journey_map_import(client=beta, actor=users["beta_consultant"], document=document)
        services.journey_map_import(client=beta, actor=users["beta_consultant"], document=document)
        assert JourneyMap.objects.count() == 2
        assert Stage.objects.values("uid").distinct().count() == Stage.objects.count()


def test_an_invalid_document_reports_every_problem_with_its_path_and_creates_nothing(beta, users, document):
    broken = copy.deepcopy(document)
    broken["stages"][1]["position"] = broken["stages"][0]["position"]
    broken["stages"][0]["touchpoints"][0]["as_is_actual_emotion"] = 5
    broken["assessment"]["scores"][0]["value"] = 9
    broken["assessment"]["scores"][1]["dimension"] = "unknown"
    with tenant_context(beta):
        with pytest.raises(services.DocumentInvalidError) as error:
            services.journey_map_import(client=beta, actor=users["beta_consultant"], document=broken)
        assert set(error.value.fields) == {
            "$.stages[1].position",
            "$.stages[0].touchpoints[0].as_is_actual_emotion",
            "$.assessment.scores[0].value",
            "$.assessment.scores[1].dimension",
        }
        assert not JourneyMap.objects.exists() and not Touchpoint.objects.exists()
        assert not Dimension.objects.filter(key="financial").exists()


def test_a_document_of_another_format_is_refused(beta, users):
    with tenant_context(beta), pytest.raises(services.DocumentInvalidError) as error:
        services.journey_map_import(client=beta, actor=users["beta_consultant"], document={"format": "x", "version": 9})
    assert {"$.format", "$.version", "$.journey_map", "$.stages"} <= set(error.value.fields)
