"""Settings of the gunicorn that bench/respondent_submit_bench.py runs: the product's own settings,
with a URL conf that adds the bare baseline view next to the real respondent pages."""

from cxgap_project.settings import *  # noqa: F403

ROOT_URLCONF = "_submit_urls"
