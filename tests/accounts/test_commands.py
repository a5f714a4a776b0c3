"""Management commands: create_client, seed_demo; and the Django admin for consultancy admins."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Client, ClientSummary, Membership, User
from cxgap_project.tenant_tasks import schema_exists


def test_create_client_command_makes_schema_domain_and_consultant(consultant):
    call_command("create_client", "hotel-one", "Hotel One", "--consultant", consultant.email, "--threshold", "7")
    client = Client.objects.get(slug="hotel-one")
    assert schema_exists("hotel_one") and client.k_anonymity_threshold == 7
    assert Membership.objects.get(client=client, user=consultant).role == "consultant"


def test_create_client_command_reports_a_bad_slug_clearly(consultant):
    with pytest.raises(CommandError, match="reserved"):
        call_command("create_client", "admin", "Admin Corp", "--consultant", consultant.email)
    assert not Client.objects.filter(slug="admin").exists()


def test_create_client_command_needs_a_consultancy_user(leader):
    with pytest.raises(CommandError, match="not a consultancy user"):
        call_command("create_client", "zulu", "Zulu", "--consultant", leader.email)


@pytest.mark.slow
def test_seed_demo_builds_the_demo_once_and_is_idempotent(db):
    call_command("seed_demo", quiet=True)
    counts = (Client.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("seed_demo", quiet=True)
    assert (Client.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    acme = Client.objects.get(slug="acme")
    assert Membership.objects.get(client=acme, user__email="leader@acme.demo").role == "leader"
    summary = ClientSummary.objects.get(client=acme)
    assert summary.weighted_gap is not None and summary.nps is not None  # the demo compiles a report


@pytest.mark.parametrize("model", ["user", "client", "membership", "memberinvite", "auditevent"])
def test_consultancy_admins_manage_accounts_in_the_django_admin(console, admin_user, consultant, model):
    assert console(admin_user).get(f"/admin/accounts/{model}/").status_code == 200
    assert console(consultant).get(f"/admin/accounts/{model}/").status_code == 302


def test_admin_edits_a_membership_role(console, admin_user, alpha, leader):
    membership = Membership.objects.get(client=alpha, user=leader)
    page = console(admin_user).get(f"/admin/accounts/membership/{membership.pk}/change/")
    assert page.status_code == 200 and b"Client leader" in page.content
