"""The integration tier: a real site of the bench whose Python runs pytest.

Connects once per session (running the installed apps' ``before_tests`` hooks, as
``bench run-tests`` does, which completes ERPNext's setup wizard on a new site), and rolls the
database back after every test so that tests leave nothing behind.
"""

import os
from pathlib import Path

import pytest

import frappe

from tests.conftest import SITE, SITE_REASON

if SITE is None:
	pytest.exit(f"integration tier: {SITE_REASON}", returncode=4)

BENCH = Path(frappe.__file__).resolve().parents[3]
SITES = BENCH / "sites"


def pytest_collection_modifyitems(config, items):
	"""Tests that reinstall the app on the site run after all the others."""
	items.sort(key=lambda item: item.get_closest_marker("lifecycle") is not None)


@pytest.fixture(scope="session", autouse=True)
def site():
	os.chdir(SITES)
	frappe.init(site=SITE, sites_path=str(SITES))
	frappe.connect()
	if not frappe.conf.allow_tests:
		pytest.exit(f"set allow_tests on {SITE}: bench --site {SITE} set-config allow_tests true", 2)
	if "auto_service_crm" not in frappe.get_installed_apps():
		pytest.exit(f"auto_service_crm is not installed on {SITE}", 2)
	frappe.flags.in_test = True
	# Mail is queued, never sent: Frappe sends some mail at once under tests (e.g. assignment
	# notifications) and its send path commits, which would leak test data into the site.
	frappe.flags.mute_emails = True
	frappe.clear_cache()
	for fn in frappe.get_hooks("before_tests"):
		frappe.get_attr(fn)()
	make_outgoing_email_account()
	frappe.db.commit()
	yield SITE
	frappe.db.rollback()
	frappe.destroy()


@pytest.fixture(scope="session", autouse=True)
def filing_jobs_linger_briefly(site):
	"""The tests' burst workers (`bench worker --burst`) end when their last job does: a filing job
	lingers two seconds without a delivery here, not the minute it stays on a site (the tests of
	lingering set their own)."""
	from tests.integration.services import lingering

	with lingering(2):
		yield


def make_outgoing_email_account():
	"""Mail goes to the Email Queue; nothing is sent (the scheduler that flushes it is off in tests)."""
	if frappe.db.exists("Email Account", "ASC Test Outgoing"):
		return
	frappe.get_doc(
		{
			"doctype": "Email Account",
			"email_account_name": "ASC Test Outgoing",
			"email_id": "crm@auto-service.example.com",
			"enable_outgoing": 1,
			"default_outgoing": 1,
			"smtp_server": "127.0.0.1",
			"smtp_port": 2525,
			"no_smtp_authentication": 1,
		}
	).insert(ignore_permissions=True)


def forget_cached_documents():
	"""Cached copies of documents a test changed (settings, rules, workflows) must not outlive its
	rollback; the rest of Frappe's cache (metadata) stays warm."""
	from frappe.cache_manager import doctype_map_keys

	frappe.cache.delete_keys("document_cache::")
	frappe.cache.delete_value(["workflow", *doctype_map_keys])
	frappe.local.document_cache = {}


@pytest.fixture(autouse=True)
def rollback(site):
	frappe.set_user("Administrator")
	yield
	frappe.db.rollback()
	forget_cached_documents()
	frappe.set_user("Administrator")
	frappe.local.message_log = []


from tests.integration.web import committed, web_server
