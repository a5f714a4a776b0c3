"""Production settings pass Django's deployment checks; responses carry the security headers."""

import os
import subprocess
import sys

from django.core.management.utils import get_random_secret_key

from tests.conftest import PROJECT_DIR


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cxgap_project.settings",
        "DEBUG": "0",
        "SITE_SCHEME": "https",
        "SITE_PORT": "",
        "BASE_DOMAIN": "cxgap.example.com",
        "SECRET_KEY": get_random_secret_key() + get_random_secret_key(),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their own process only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cxgap_project.settings", "DEBUG": "0"}
    env.pop("SECRET_KEY", None)
    env.pop("CXGAP_EMBEDDED_DATABASE_URL", None)
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_pages_send_a_strict_content_security_policy(console, consultant):
    response = console(consultant).get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_page_template_contains_inline_scripts():
    """The CSP forbids inline scripts; JSON data blocks (json_script) are not scripts and are fine."""
    offenders = []
    for template in PROJECT_DIR.glob("*/templates/**/*.html"):
        text = template.read_text()
        for chunk in text.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            if "src=" not in head and 'type="application/json"' not in head:
                offenders.append(str(template.relative_to(PROJECT_DIR)))
        if " onclick=" in text or " onload=" in text or " onchange=" in text or " onsubmit=" in text:
            offenders.append(str(template.relative_to(PROJECT_DIR)))
    assert offenders == []
