"""Demo content of the surveys app: questionnaires and respondents, then campaigns with answers."""

from __future__ import annotations

from typing import Any

from surveys import demo_campaigns, demo_design


def seed_client(*, client: Any, users: dict[str, Any]) -> None:
    demo_design.seed_client(client=client, users=users)
    demo_campaigns.seed_client(client=client, users=users)
