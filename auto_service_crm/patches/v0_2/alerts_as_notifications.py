"""The alerts a site set in Auto Service Settings' table (Appeal Email Alert, gone in 0.2) become
Notifications: each row one Notification, enabled as the row was; a row as shipped becomes the
shipped Notification, and a shipped alert the site had removed from its table is made disabled,
so that the next migrate does not bring it back. The table is dropped."""

import frappe

from auto_service_crm import alerts
from auto_service_crm.setup.defaults import EMAIL_TEMPLATES

TABLE = "Appeal Email Alert"


def execute():
	if not frappe.db.table_exists(TABLE):
		return
	table = frappe.qb.DocType(TABLE)
	rows = (
		frappe.qb.from_(table)
		.select(table.event, table.recipient, table.language, table.email_template, table.enabled)
		.where(table.parent == "Auto Service Settings")
		.orderby(table.idx)
		.run(as_dict=True)
	)
	shipped = {(event, recipient, language, name) for event, recipient, language, name, *_ in EMAIL_TEMPLATES}
	kept = {(row.event, row.recipient, row.language, row.email_template) for row in rows}
	for row in rows:
		if row.event not in alerts.TRIGGERS or not frappe.db.exists("Email Template", row.email_template):
			print(f"Skipped the alert {row.event} to {row.recipient}: no template {row.email_template!r}")
			continue
		others = alerts.explicit_languages(
			r.language for r in rows if r.event == row.event and r.recipient == row.recipient
		)
		name = alerts.notification_name(row.event, row.recipient, row.language)
		if (row.event, row.recipient, row.language, row.email_template) not in shipped:
			# the site's own template: beside the shipped Notification, which is made disabled below
			name = f"{name} {row.email_template}"[:140]
		insert(
			alerts.notification(
				name,
				row.event,
				row.recipient,
				row.language,
				others,
				row.email_template,
				enabled=bool(row.enabled),
			)
		)
	for event, recipient, language, template, _subject, _body in EMAIL_TEMPLATES:
		if (event, recipient, language, template) in kept or not frappe.db.exists("Email Template", template):
			continue
		others = alerts.explicit_languages(t[2] for t in EMAIL_TEMPLATES if t[:2] == (event, recipient))
		name = alerts.notification_name(event, recipient, language)
		insert(alerts.notification(name, event, recipient, language, others, template, enabled=False))
	frappe.db.sql_ddl(f"drop table if exists `tab{TABLE}`")


def insert(spec: dict) -> None:
	if not frappe.db.exists("Notification", spec["name"]):
		frappe.get_doc(spec).insert(ignore_permissions=True)
