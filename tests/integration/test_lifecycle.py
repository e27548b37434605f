"""Install, migrate and uninstall on the real site, through the same CLI a user runs.

These tests commit (DDL does), so they run last and leave the app installed as they found it.
"""

import subprocess
import sys

import pytest

import frappe

from auto_service_crm.alerts import APP_METHODS, app_notifications, notification_name
from auto_service_crm.setup import defaults
from auto_service_crm.setup.custom_fields import get_custom_fields
from tests.integration.conftest import SITES
from tests.static.app_files import doctypes

pytestmark = pytest.mark.lifecycle

APP_DOCTYPES = sorted(doctypes())
CUSTOM_FIELDS = {doctype: [f["fieldname"] for f in fields] for doctype, fields in get_custom_fields().items()}
CUSTOM_FIELD_NAMES = [f"{doctype}-{name}" for doctype, names in CUSTOM_FIELDS.items() for name in names]
TEMPLATES = [template[3] for template in defaults.EMAIL_TEMPLATES]
NOTIFICATIONS = [
	notification_name(alert, recipient, language, channel)
	for alert, recipient, language, *_ in defaults.EMAIL_TEMPLATES
	for channel in (("Email", "SMS") if recipient == "Client" else ("Email",))
]


def frappe_cli(*args: str) -> str:
	"""Run `bench --site <site> …` the way bench does, in a separate process."""
	frappe.db.rollback()
	result = subprocess.run(
		[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", frappe.local.site, *args],
		cwd=SITES,
		capture_output=True,
		text=True,
		timeout=1500,
	)
	assert result.returncode == 0, (
		f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
	)
	reconnect()
	return result.stdout


def reconnect():
	"""A fresh Frappe context, as the next request would get: nothing cached from before the CLI ran."""
	site = frappe.local.site
	frappe.destroy()
	frappe.init(site=site, sites_path=str(SITES))
	frappe.connect()
	# and none in the site's Redis: another process of the tests (a web server, a browser's desk)
	# may have cached a value (the installed apps among the defaults) while the CLI had changed it
	# and not yet committed
	frappe.clear_cache()
	frappe.flags.in_test = True
	frappe.flags.mute_emails = True


def state_of_the_app() -> dict:
	"""Everything of the app in the database, with modification times."""
	return {
		"doctypes": frappe.get_all(
			"DocType", filters={"module": "Auto Service CRM"}, fields=["name", "modified"], order_by="name"
		),
		"docfields": frappe.get_all(
			"DocField",
			filters={"parent": ("in", APP_DOCTYPES)},
			fields=["parent", "fieldname", "modified"],
			order_by="parent, idx",
		),
		"custom_fields": frappe.get_all(
			"Custom Field",
			filters={"name": ("in", CUSTOM_FIELD_NAMES)},
			fields=["name", "modified", "insert_after"],
			order_by="name",
		),
		"roles": frappe.get_all(
			"Role", filters={"name": ("in", defaults.ROLES)}, fields=["name", "modified"], order_by="name"
		),
		"custom_docperms": frappe.get_all(
			"Custom DocPerm",
			filters={"role": ("in", defaults.ROLES)},
			fields=["name", "modified"],
			order_by="name",
		),
		"host_records": {
			doctype: frappe.get_all(
				doctype,
				filters={"document_type": ["in", ["Appeal", "Service Request"]]},
				fields=["name", "modified"],
				order_by="name",
			)
			for doctype in ("Workflow", "Service Level Agreement", "Assignment Rule")
		},
		"email_templates": frappe.get_all(
			"Email Template",
			filters={"name": ["in", TEMPLATES]},
			fields=["name", "modified"],
			order_by="name",
		),
		"notifications": frappe.get_all(
			"Notification", filters={"name": ["in", app_notifications()]}, fields=["name", "modified"]
		),
		"records": {
			doctype: frappe.get_all(doctype, fields=["name", "modified"], order_by="name")
			for doctype in (
				"Appeal Channel",
				"Appeal Status",
				"Service Request Status",
				"Appeal Result",
				"Appeal Category",
			)
		},
	}


def test_migrate_twice_changes_nothing_the_second_time():
	frappe_cli("migrate")
	first = state_of_the_app()
	frappe_cli("migrate")
	assert state_of_the_app() == first
	assert len(first["doctypes"]) == len(APP_DOCTYPES)
	assert len(first["custom_fields"]) == len(CUSTOM_FIELD_NAMES)
	assert all(first["host_records"].values()) and len(first["email_templates"]) == len(TEMPLATES)
	assert len(first["records"]["Appeal Category"]) >= len(defaults.CATEGORIES)
	assert {n.name for n in first["notifications"]} >= set(NOTIFICATIONS)
	assert not frappe.db.table_exists("Appeal Email Alert"), "the patch dropped the alert table"


def test_uninstall_leaves_nothing_behind_and_install_brings_it_back():
	frappe_cli("uninstall-app", "auto_service_crm", "--yes", "--no-backup")
	try:
		assert "auto_service_crm" not in frappe.get_installed_apps()
		assert not frappe.db.exists("Module Def", "Auto Service CRM")
		assert not frappe.get_all("DocType", filters={"module": "Auto Service CRM"})
		for name in APP_DOCTYPES:
			assert not frappe.db.exists("DocType", name), name
			assert not frappe.db.table_exists(name), name
		assert not frappe.get_all("Custom Field", filters={"name": ("in", CUSTOM_FIELD_NAMES)})
		assert not frappe.get_all("Role", filters={"name": ("in", defaults.ROLES)})
		assert not frappe.get_all("Has Role", filters={"role": ("in", defaults.ROLES)})
		assert not frappe.get_all("Custom DocPerm", filters={"role": ("in", defaults.ROLES)})
		for doctype in ("Workflow", "Service Level Agreement", "Assignment Rule"):
			assert not frappe.get_all(
				doctype, filters={"document_type": ["in", ["Appeal", "Service Request"]]}
			)
		assert not frappe.get_all("Custom Field", filters={"dt": ["in", ["Appeal", "Service Request"]]})
		assert not frappe.get_all("Email Template", filters={"name": ["in", TEMPLATES]})
		# the shipped alerts, the ones the patch made and a consultant's, on the app's DocTypes and methods
		assert not frappe.get_all("Notification", filters={"name": ["in", NOTIFICATIONS]})
		assert not frappe.get_all(
			"Notification", filters={"document_type": ["in", ["Appeal", "Service Request"]]}
		)
		assert not frappe.get_all("Notification", filters={"event": "Method", "method": ["in", APP_METHODS]})
		assert not frappe.get_all(
			"Deleted Document",
			filters={"deleted_doctype": "Notification", "deleted_name": ["in", NOTIFICATIONS]},
		)
		assert not frappe.get_all(
			"Property Setter", filters={"doc_type": "Appointment", "field_name": "customer_email"}
		)
		for doctype, names in CUSTOM_FIELDS.items():
			frappe.clear_cache(doctype=doctype)
			assert not any(frappe.get_meta(doctype).get_field(f) for f in names), doctype
	finally:
		frappe_cli("install-app", "auto_service_crm")

	assert "auto_service_crm" in frappe.get_installed_apps()
	for category in defaults.CATEGORIES:
		assert frappe.db.exists("Appeal Category", category["category_name"])
	assert frappe.get_meta("Sales Order").get_field("is_repair_order")
	assert set(frappe.get_all("Notification", filters={"name": ["in", NOTIFICATIONS]}, pluck="name")) == set(
		NOTIFICATIONS
	)
	assert frappe.db.exists("Custom DocPerm", {"parent": "Customer", "role": "Auto Service Operator"})
	assert frappe.db.exists("Workflow", {"document_type": "Service Request", "is_active": 1})
	assert frappe.db.exists("Service Level Agreement", {"document_type": "Appeal"})
	assert frappe.get_meta("Appeal").has_field("response_by")
	assert not frappe.get_meta("Appointment").get_field("customer_email").reqd
