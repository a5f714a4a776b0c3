"""Writes of the surveys app, one module per area (questionnaires, respondents, campaigns, sending, answering)."""
