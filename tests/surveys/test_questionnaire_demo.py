"""The design half's demo content: a story a consultant recognises, created once."""

from surveys import demo_design
from surveys.models import Audience, OptOut, Question, Questionnaire, Respondent
from tests.surveys.conftest import journey_map_with_touchpoints


def _counts():
    return (
        Questionnaire.objects.count(),
        Question.objects.count(),
        Respondent.objects.filter(audience=Audience.CUSTOMERS).count(),
        Respondent.objects.filter(audience=Audience.STAFF).count(),
        OptOut.objects.count(),
    )


def test_demo_seeds_servqual_mirror_and_people_once(in_alpha, users):
    demo_design.seed_client(client=in_alpha, users=users)
    first = _counts()
    demo_design.seed_client(client=in_alpha, users=users)
    assert _counts() == first
    assert first[2:] == (200, 40, 2)
    servqual = Questionnaire.objects.get(name="Alpha Retail service quality (SERVQUAL)")
    assert servqual.questions.count() == 26  # 22 pairs, the importance allocation, NPS, CSAT and CES
    assert set(servqual.questions.values_list("item_key", flat=True)) >= {"SQ01", "SQ22", "NPS", "CSAT", "CES"}
    assert "Excellent companies" in servqual.questions.get(item_key="SQ01").expectation_text
    assert Questionnaire.objects.filter(mirror_of_family_uid=servqual.family_uid, audience=Audience.STAFF).exists()


def test_demo_people_have_segments_and_anchor_dates(in_alpha, users):
    demo_design.seed_client(client=in_alpha, users=users)
    customer = Respondent.objects.filter(audience=Audience.CUSTOMERS).order_by("email").first()
    assert customer is not None
    assert set(customer.anchor_dates) == {"signup", "purchase"}
    assert customer.segment in ("Consumer", "Small business", "Enterprise")
    assert Respondent.objects.filter(audience=Audience.STAFF, segment="Customer care").exists()


def test_demo_adds_a_journey_pulse_when_a_journey_map_exists(in_alpha, users):
    journey_map = journey_map_with_touchpoints(stages=3, touchpoints_per_stage=2)
    demo_design.seed_client(client=in_alpha, users=users)
    pulse = Questionnaire.objects.get(name=f"{journey_map.name} — journey pulse")
    assert pulse.pages.count() == 4
    assert pulse.questions.filter(touchpoint__isnull=False).count() == 6
