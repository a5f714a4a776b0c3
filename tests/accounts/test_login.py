"""Signing in: rate limit, console-to-portal hand-off."""

from datetime import timedelta
from urllib.parse import urlparse

from django.utils import timezone

from accounts.models import LoginHandoff
from tests.conftest import PASSWORD


def test_login_is_locked_after_five_failures_even_with_the_right_password(console, consultant):
    browser = console()
    for _ in range(5):
        browser.post("/login/", {"username": consultant.email, "password": "wrong"})
    response = browser.post("/login/", {"username": consultant.email, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content
    assert "_auth_user_id" not in browser.session


def test_a_good_login_before_the_limit_resets_the_count(console, consultant):
    browser = console()
    for _ in range(3):
        browser.post("/login/", {"username": consultant.email, "password": "wrong"})
    assert browser.post("/login/", {"username": consultant.email, "password": PASSWORD}).status_code == 302


def test_console_user_opens_a_portal_without_logging_in_again(console, host_client, alpha, consultant):
    response = console(consultant).get(f"/clients/{alpha.slug}/open/?next=/members/")
    assert response.status_code == 302
    target = urlparse(response["Location"])
    assert target.netloc == "alpha.localhost:8000"
    portal = host_client(alpha)
    landed = portal.get(target.path)
    assert landed.status_code == 302 and landed["Location"] == "/members/"
    assert portal.get("/members/").status_code == 200


def test_handoff_link_works_once(console, host_client, alpha, consultant):
    path = urlparse(console(consultant).get(f"/clients/{alpha.slug}/open/")["Location"]).path
    host_client(alpha).get(path)
    again = host_client(alpha)
    assert again.get(path)["Location"].startswith("http://localhost:8000/login/")
    assert again.get("/").status_code == 302


def test_expired_handoff_link_is_refused(console, host_client, alpha, consultant):
    path = urlparse(console(consultant).get(f"/clients/{alpha.slug}/open/")["Location"]).path
    LoginHandoff.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert host_client(alpha).get(path)["Location"].startswith("http://localhost:8000/login/")


def test_handoff_to_a_foreign_client_is_404(console, beta, consultant):
    assert console(consultant).get(f"/clients/{beta.slug}/open/").status_code == 404
    assert not LoginHandoff.objects.exists()


def test_handoff_link_for_one_client_does_not_sign_in_on_another(console, host_client, alpha, beta, admin_user):
    path = urlparse(console(admin_user).get(f"/clients/{alpha.slug}/open/")["Location"]).path
    assert host_client(beta).get(path)["Location"].startswith("http://localhost:8000/login/")


def test_next_parameter_cannot_send_the_user_to_another_site(console, host_client, alpha, consultant):
    location = console(consultant).get(f"/clients/{alpha.slug}/open/?next=//evil.example/")["Location"]
    landed = host_client(alpha).get(urlparse(location).path)
    assert landed["Location"] == "/"


def test_signing_in_for_a_portal_page_comes_back_to_it(console, host_client, alpha, leader):
    portal = host_client(alpha)
    sign_in_url = urlparse(portal.get("/members/")["Location"])
    browser = console()
    response = browser.post(
        sign_in_url.path + "?" + sign_in_url.query, {"username": leader.email, "password": PASSWORD}, follow=False
    )
    go = browser.get(response["Location"])
    handoff = urlparse(go["Location"])
    assert handoff.netloc == "alpha.localhost:8000"
    assert portal.get(handoff.path)["Location"] == "/members/"
    assert portal.get("/").status_code == 200


def test_signing_out_on_a_portal_signs_out_of_the_console_too(console, host_client, alpha, consultant):
    browser = console()
    browser.post("/login/", {"username": consultant.email, "password": PASSWORD})
    portal = host_client(alpha)
    portal.get(urlparse(browser.get(f"/clients/{alpha.slug}/open/")["Location"]).path)
    assert portal.get("/").status_code == 200

    portal.post("/logout/")
    assert browser.get("/").status_code == 302
    assert portal.get("/").status_code == 302


def test_signing_out_on_the_console_signs_out_of_the_portals(console, host_client, alpha, consultant):
    browser = console()
    browser.post("/login/", {"username": consultant.email, "password": PASSWORD})
    portal = host_client(alpha)
    portal.get(urlparse(browser.get(f"/clients/{alpha.slug}/open/")["Location"]).path)
    browser.post("/logout/")
    assert portal.get("/").status_code == 302


def test_signing_in_on_the_console_lands_on_the_client_list(console, consultant):
    response = console().post("/login/", {"username": consultant.email.upper(), "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
