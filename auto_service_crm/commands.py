"""The app adds no bench command. In an rq worker, it imports the modules of filing before rq forks.

rq's worker (Frappe's ``bench worker``) runs every job in a process forked from it, and the process
imports what the job uses: filing the first call of a burst imports some 340 modules (ERPNext's
Call Log, Customer and SLA, Frappe's Notification, Assignment Rule, Jinja, the app), about 0.4 s
before the call is filed, against 50 ms in a warm process. Frappe imports its own common modules
before forking in its worker pool for the same reason (``start_worker_pool``), but not in
``bench worker``, and gives an app no hook in the worker's parent process; the CLI imports every
app's ``commands`` module before it runs a command, so this module is that hook. When the command
is a worker, it imports ``PRELOAD`` there: every job's process then starts with them, shared with
the parent (Frappe freezes the garbage collector's objects before it forks). Nothing of a site is
touched here, and a module that fails to import is left to the job that needs it.
"""

import importlib
import sys

commands = []

WORKER_COMMANDS = frozenset({"worker", "worker-pool"})

# The modules whose import brings in what a filing job uses (the rest follows from these).
PRELOAD = (
	# the app: every channel's webhooks and filing, the queue, routing, alerts, the DocTypes filed
	"auto_service_crm.api",
	"auto_service_crm.intake_queue",
	"auto_service_crm.routing",
	"auto_service_crm.alerts",
	"auto_service_crm.recommendations",
	"auto_service_crm.overrides.call_log",
	"auto_service_crm.auto_service_crm.doctype.appeal.appeal",
	"auto_service_crm.auto_service_crm.doctype.intake_payload.intake_payload",
	# ERPNext: the Call Log, the SLA applied to every appeal, the Customer of the identified client
	"erpnext.telephony.doctype.call_log.call_log",
	"erpnext.support.doctype.service_level_agreement.service_level_agreement",
	"erpnext.selling.doctype.customer.customer",
	"erpnext.startup.filters",
	# Frappe: Notifications (with safe_exec and Jinja), Assignment Rule and ToDo, contacts, users
	"frappe.email.doctype.notification.notification",
	"frappe.automation.doctype.assignment_rule.assignment_rule",
	"frappe.desk.form.assign_to",
	"frappe.utils.safe_exec",
	"frappe.contacts.doctype.contact.contact",
	"frappe.core.doctype.user.user",
	"frappe.core.doctype.version.version",
	"frappe.handler",
)


def is_worker(argv: list[str]) -> bool:
	"""Whether the command line runs an rq worker: Frappe's CLI (``bench_helper frappe``, its
	options, then the command) running ``worker`` or ``worker-pool``."""
	if argv[1:2] != ["frappe"]:
		return False
	args, i = argv[2:], 0
	while i < len(args) and args[i].startswith("-"):
		i += 2 if args[i] == "--site" else 1  # the group's options; only --site takes a value
	return i < len(args) and args[i] in WORKER_COMMANDS


def preload() -> list[str]:
	"""Import ``PRELOAD``; the modules that did not import (their jobs import them as before)."""
	failed = []
	for name in PRELOAD:
		try:
			importlib.import_module(name)
		except Exception:
			failed.append(name)
	return failed


if is_worker(sys.argv):
	preload()
