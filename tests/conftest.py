"""One pytest run, two tiers.

- tests/unit and tests/static need no Frappe and always run.
- tests/integration runs when this Python can import frappe and a test site is found
  (run pytest with the bench's Python); otherwise it is skipped, and the run says why.
"""

import importlib.util
import json
import os
from pathlib import Path

TESTS = Path(__file__).parent


def integration_site() -> tuple[str | None, str]:
	"""(site, reason): the site to run the integration tier on, or None and why not."""
	if importlib.util.find_spec("frappe") is None:
		return None, "frappe is not importable here (run pytest with the bench's Python for this tier)"
	bench = Path(importlib.util.find_spec("frappe").origin).resolve().parents[3]
	site = os.environ.get("AUTO_SERVICE_CRM_TEST_SITE") or default_site(bench / "sites")
	if not site:
		return None, f"no test site: set AUTO_SERVICE_CRM_TEST_SITE or `bench use` a site in {bench}"
	if not (bench / "sites" / site / "site_config.json").exists():
		return None, f"site {site} does not exist in {bench}/sites"
	return site, f"site {site} of the bench at {bench}"


def default_site(sites: Path) -> str | None:
	"""The site `bench use` chose: currentsite.txt, or default_site in common_site_config.json."""
	current = sites / "currentsite.txt"
	if current.exists() and current.read_text().strip():
		return current.read_text().strip()
	common = sites / "common_site_config.json"
	if common.exists():
		return json.loads(common.read_text()).get("default_site")
	return None


SITE, SITE_REASON = integration_site()
if SITE is None:
	collect_ignore = ["integration"]


def pytest_report_header(config):
	ran = "unit, static"
	if SITE:
		return [f"tiers: {ran}, integration ({SITE_REASON})"]
	return [f"tiers: {ran}; integration SKIPPED: {SITE_REASON}"]


def pytest_terminal_summary(terminalreporter):
	if SITE:
		terminalreporter.write_line(f"tiers run: unit, static, integration on {SITE}")
	else:
		terminalreporter.write_line(f"tiers run: unit, static; integration skipped: {SITE_REASON}")
