"""The demo content tells its story and can be loaded twice without duplicating anything."""

from django_tenants.utils import tenant_context

from accounts.models import Client, Membership, Role
from diagnostics import demo
from diagnostics.models import Assessment, Initiative, InitiativeComment, JourneyMap, Score, Touchpoint


def test_demo_seeds_a_map_two_workshops_and_a_plan_once(alpha, users):
    client = Client.objects.get(pk=alpha.pk)
    client.slug = "acme"  # the demo content is chosen by slug; nothing is saved
    people = {name: users[name] for name in ("consultant", "leader", "viewer", "admin")}
    with tenant_context(alpha):
        demo.seed_client(client=client, users=people)
        demo.seed_client(client=client, users=people)
        assert JourneyMap.objects.count() == 1
        assert Touchpoint.objects.filter(is_moment_of_truth=True).count() >= 4
        assert Assessment.objects.count() == 2 and Score.objects.exists()
        statuses = set(Initiative.objects.values_list("status", flat=True))
        assert statuses == {"proposed", "planned", "in_progress", "done", "dropped"}
        assert Initiative.objects.filter(owner_user_id=users["leader"].pk).count() >= 3
        assert InitiativeComment.objects.exists()
    assert Membership.objects.filter(client=alpha, user=users["leader"], role=Role.LEADER).exists()


def test_globex_has_its_own_story(alpha, users):
    client = Client.objects.get(pk=alpha.pk)
    client.slug = "globex"
    people = {name: users[name] for name in ("consultant", "leader", "viewer", "admin")}
    with tenant_context(alpha):
        demo.seed_client(client=client, users=people)
        assert JourneyMap.objects.get().name == "Current account opening"
        assert Initiative.objects.count() == 6
