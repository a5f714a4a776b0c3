"""The demo campaigns tell the intended story and can be loaded twice."""

from django.db.models import Avg, F

from surveys.demo_campaigns import WAVE_1, WAVE_2, seed_client
from surveys.models import Answer, Campaign, Response


def _gap(campaign, dimension):
    answers = Answer.objects.filter(
        response__campaign=campaign, response__status="completed", question__dimension__key=dimension
    )
    return answers.aggregate(gap=Avg(F("value") - F("expectation")))["gap"]


def test_the_demo_has_waves_with_hundreds_of_responses_and_a_clear_story(in_alpha, users):
    seed_client(client=in_alpha, users=users)
    seed_client(client=in_alpha, users=users)  # idempotent
    wave_1, wave_2 = Campaign.objects.get(name=WAVE_1), Campaign.objects.get(name=WAVE_2)
    assert wave_1.status == "closed" and wave_2.status == "running"
    assert Campaign.objects.count() == 3
    assert Response.objects.filter(campaign=wave_1, status="completed").count() > 150
    gaps = {key: _gap(wave_1, key) for key in ("tangibles", "reliability", "responsiveness", "assurance", "empathy")}
    assert min(gaps, key=lambda key: gaps[key]) == "responsiveness"
    assert _gap(wave_2, "reliability") > _gap(wave_1, "reliability") + 0.5
