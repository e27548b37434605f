"""Install, migrate and uninstall steps: every step is idempotent and keeps a consultant's edits."""

import copy

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields
from frappe.permissions import setup_custom_perms

from auto_service_crm.maintenance.setup import make_maintenance_defaults, remove_maintenance_defaults
from auto_service_crm.setup import defaults
from auto_service_crm.setup.custom_fields import PROPERTY_SETTERS, get_custom_fields


def before_install():
	make_roles()


def after_install():
	# Frappe's installer saved the new Single with every Time field at the current time, whatever
	# its default (the working hours would start and end now): on install they take the defaults.
	time_fields = [
		f.fieldname for f in frappe.get_meta("Auto Service Settings").fields if f.fieldtype == "Time"
	]
	frappe.db.delete("Singles", {"doctype": "Auto Service Settings", "field": ["in", time_fields]})
	frappe.clear_document_cache("Auto Service Settings", "Auto Service Settings")
	after_migrate()
	# patches are marked done on install without running: do what they would have done
	from auto_service_crm.identification import backfill_contact_phones

	backfill_contact_phones()


def after_migrate():
	make_roles()
	add_erpnext_permissions()
	create_custom_fields(get_custom_fields(), ignore_validate=True)
	make_property_setters()
	make_default_records()
	make_automatic_category_rules()
	fill_empty_settings()
	make_email_templates()
	make_notifications()
	make_service_request_workflow()
	make_assignment_rule()
	make_service_level_agreement()
	add_appeal_report_indexes()
	make_maintenance_defaults()


def add_appeal_report_indexes() -> None:
	"""The reports' indexes on Appeal, once more after the SLA has added its fields to Appeal (one of
	the indexes covers them): on a new site the DocType's own on_doctype_update ran before."""
	from auto_service_crm.auto_service_crm.doctype.appeal.appeal import add_report_indexes

	add_report_indexes()


def after_setup_wizard(args=None):
	"""ERPNext's setup wizard has just made the Issue Priorities the SLA needs (an app installed on a
	site before its wizard would otherwise get its SLA only at the next migrate), and the SLA its
	fields on Appeal, which the SLA reports' index covers: without it they read every appeal."""
	make_service_level_agreement()
	add_appeal_report_indexes()


def before_uninstall():
	delete_custom_fields(get_custom_fields())
	delete_property_setters()
	delete_notifications()
	remove_maintenance_defaults()
	delete_host_records_of_the_app()
	remove_erpnext_permissions()
	delete_roles()


def make_property_setters() -> None:
	from frappe.custom.doctype.property_setter.property_setter import make_property_setter

	for doctype, fieldname, prop, value, prop_type in PROPERTY_SETTERS:
		current = frappe.db.get_value(
			"Property Setter", {"doc_type": doctype, "field_name": fieldname, "property": prop}, "value"
		)
		if current != value:
			make_property_setter(
				doctype, fieldname, prop, value, prop_type, validate_fields_for_doctype=False
			)


def delete_property_setters() -> None:
	for doctype, fieldname, prop, _value, _type in PROPERTY_SETTERS:
		frappe.db.delete("Property Setter", {"doc_type": doctype, "field_name": fieldname, "property": prop})
		frappe.clear_cache(doctype=doctype)


def make_roles():
	for role in defaults.ROLES:
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert(
				ignore_permissions=True
			)


def make_default_records():
	"""Give each configurable list its defaults while it is empty.

	A list the consultant has already filled is left alone, so a default that was renamed or
	deleted in the desk does not come back on the next migrate (hide a category with *Show in
	List* rather than deleting it). Later versions add defaults with patches.
	"""
	seed("Appeal Channel", defaults.CHANNELS)
	seed("Appeal Status", defaults.APPEAL_STATUSES)
	seed("Service Request Status", defaults.SERVICE_REQUEST_STATUSES)
	seed(
		"Appeal Result",
		[
			{
				**result,
				"required_fields": [{"fieldname": field} for field in result.get("required_fields", ())],
			}
			for result in defaults.RESULTS
		],
	)
	seed(
		"Appeal Category",
		[
			{
				**category,
				"results": [
					{"result": result}
					for result in category.get("results", ())
					if frappe.db.exists("Appeal Result", result)
				],
			}
			for category in defaults.CATEGORIES
		],
	)


def make_automatic_category_rules(categories: dict[str, str | None] | None = None) -> None:
	"""Ship the automatic category rules while there is none (a consultant's edits and deletions
	stay). ``categories``, from the patch of earlier versions: the category a site had given each
	rule, None when no category carried it (the rule is shipped disabled). The settings the rules
	mirror are left as they are."""
	if frappe.db.count("Automatic Category Rule"):
		return
	language = frappe.db.get_single_value("System Settings", "language")
	for record in defaults.AUTOMATIC_CATEGORY_RULES:
		category, enabled = record["category"], 1
		if categories is not None and record["rule_name"] in categories:
			category = categories[record["rule_name"]] or category
			enabled = int(bool(categories[record["rule_name"]]))
		if not frappe.db.exists("Appeal Category", category):
			continue
		doc = frappe.get_doc(
			{
				"doctype": "Automatic Category Rule",
				**copy.deepcopy(record),  # Frappe writes into the child rows' dicts it is given
				"category": category,
				"enabled": enabled,
				"reason": defaults.localized_text(record["reason"], language),
			}
		)
		doc.flags.keep_settings = True
		doc.insert(ignore_permissions=True)


def fill_empty_settings() -> None:
	"""Store the defaults of Auto Service Settings' fields that have no stored value yet.

	Reads what is stored, not a loaded document: Frappe v15 gives every Time field of a new
	document the current time, whatever its default, and a Single starts as a new document.
	"""
	singles = frappe.qb.DocType("Singles")
	stored = dict(
		frappe.qb.from_(singles)
		.select(singles.field, singles.value)
		.where(singles.doctype == "Auto Service Settings")
		.run()
	)
	values = {
		field.fieldname: field.default
		for field in frappe.get_meta("Auto Service Settings").fields
		if field.default and field.fieldtype not in ("Table", "Section Break", "Column Break")
	}
	for fieldname, value in {**values, **defaults.SETTINGS}.items():
		if stored.get(fieldname) in (None, ""):
			frappe.db.set_single_value("Auto Service Settings", fieldname, value)


def seed(doctype: str, records) -> None:
	if frappe.db.count(doctype):
		return
	language = frappe.db.get_single_value("System Settings", "language")
	for record in records:
		frappe.get_doc({"doctype": doctype, **defaults.localized(record, language)}).insert(
			ignore_permissions=True
		)


def add_erpnext_permissions():
	"""Make sure each role has at least its rights on ERPNext's DocTypes (never takes rights away)."""
	for doctype, roles in defaults.ERPNEXT_PERMISSIONS.items():
		if not frappe.db.exists("DocType", doctype):
			continue
		setup_custom_perms(doctype)
		for role, rights in roles.items():
			name = frappe.db.get_value(
				"Custom DocPerm", {"parent": doctype, "role": role, "permlevel": 0, "if_owner": 0}
			)
			if not name:
				frappe.get_doc(
					{
						"doctype": "Custom DocPerm",
						"parent": doctype,
						"parenttype": "DocType",
						"parentfield": "permissions",
						"role": role,
						"permlevel": 0,
						**{right: 1 for right in rights},
					}
				).insert(ignore_permissions=True)
				continue
			current = frappe.db.get_value("Custom DocPerm", name, list(rights), as_dict=True)
			missing = {right: 1 for right in rights if not current.get(right)}
			if missing:
				frappe.db.set_value("Custom DocPerm", name, missing)
		frappe.clear_cache(doctype=doctype)


def remove_erpnext_permissions():
	for doctype in defaults.ERPNEXT_PERMISSIONS:
		frappe.db.delete("Custom DocPerm", {"parent": doctype, "role": ("in", defaults.ROLES)})
		frappe.clear_cache(doctype=doctype)


def delete_custom_fields(custom_fields: dict) -> None:
	for doctype, fields in custom_fields.items():
		fieldnames = [field["fieldname"] for field in fields]
		for name in frappe.get_all(
			"Custom Field", filters={"dt": doctype, "fieldname": ("in", fieldnames)}, pluck="name"
		):
			frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
		frappe.clear_cache(doctype=doctype)


def delete_roles():
	for role in defaults.ROLES:
		frappe.db.delete("Has Role", {"role": role})
		frappe.db.delete("DocPerm", {"role": role})
		frappe.db.delete("Custom DocPerm", {"role": role})
		if frappe.db.exists("Role", role):
			frappe.delete_doc("Role", role, ignore_permissions=True, force=True)


def make_email_templates() -> None:
	"""The alert templates, in English and Russian: the text of the alerts' Notifications."""
	for _event, _recipient, _language, name, subject, body in defaults.EMAIL_TEMPLATES:
		if not frappe.db.exists("Email Template", name):
			frappe.get_doc(
				{
					"doctype": "Email Template",
					"name": name,
					"subject": subject,
					"use_html": 1,
					"response_html": body,
				}
			).insert(ignore_permissions=True)


def make_notifications() -> None:
	"""The alerts as Notifications from the Email Templates, each made once: a consultant's edits,
	or a deletion, stay. An SMS to the client is enabled when SMS Settings have a gateway."""
	from auto_service_crm.alerts import shipped_notifications

	sms_ready = bool(frappe.db.get_single_value("SMS Settings", "sms_gateway_url"))
	for spec in shipped_notifications(sms_ready):
		if frappe.db.exists("Notification", spec["name"]) or frappe.db.exists(
			"Deleted Document", {"deleted_doctype": "Notification", "deleted_name": spec["name"]}
		):
			continue
		frappe.get_doc(spec).insert(ignore_permissions=True)


def delete_notifications() -> None:
	"""The Notifications of the app's DocTypes and methods: they would point at what is gone."""
	from auto_service_crm.alerts import app_notifications

	for name in app_notifications():
		frappe.delete_doc("Notification", name, ignore_permissions=True, force=True, delete_permanently=True)


def make_service_request_workflow() -> None:
	"""The Service Request Workflow, unless the request already has one (the consultant's stays)."""
	spec = defaults.SERVICE_REQUEST_WORKFLOW
	if frappe.db.exists("Workflow", {"document_type": "Service Request"}):
		return
	for state, style in spec["states"]:
		if not frappe.db.exists("Workflow State", state):
			frappe.get_doc(
				{"doctype": "Workflow State", "workflow_state_name": state, "style": style}
			).insert(ignore_permissions=True)
	for action in sorted({action for _from, action, _to in spec["transitions"]}):
		if not frappe.db.exists("Workflow Action Master", action):
			frappe.get_doc({"doctype": "Workflow Action Master", "workflow_action_name": action}).insert(
				ignore_permissions=True
			)
	frappe.get_doc(
		{
			"doctype": "Workflow",
			"workflow_name": spec["workflow_name"],
			"document_type": "Service Request",
			"workflow_state_field": "status",
			"is_active": 1,
			"send_email_alert": 0,
			"states": [
				{"state": state, "doc_status": "0", "allow_edit": role}
				for state, _style in spec["states"]
				for role in spec["roles"]
			],
			"transitions": [
				{
					"state": start,
					"action": action,
					"next_state": end,
					"allowed": role,
					"allow_self_approval": 1,
				}
				for start, action, end in spec["transitions"]
				for role in spec["roles"]
			],
		}
	).insert(ignore_permissions=True)


def make_assignment_rule() -> None:
	spec = defaults.APPEAL_ASSIGNMENT_RULE
	if frappe.db.exists("Assignment Rule", {"document_type": spec["document_type"]}):
		return
	operators = frappe.get_all(
		"Has Role",
		filters={"role": "Auto Service Operator", "parenttype": "User"},
		pluck="parent",
		distinct=True,
	)
	frappe.get_doc(
		{
			"doctype": "Assignment Rule",
			**spec,
			# Frappe's round robin needs users: the rule waits, disabled, until there are operators.
			"users": [{"user": user} for user in operators],
			"disabled": 0 if operators else 1,
			"assignment_days": [
				{"day": day}
				for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
			],
		}
	).insert(ignore_permissions=True)


def make_service_level_agreement() -> None:
	"""The 2-hour response SLA on Appeal, on the settings' working hours and holiday list."""
	spec = defaults.APPEAL_SLA
	if frappe.db.exists("Service Level Agreement", {"document_type": "Appeal"}):
		return
	if not frappe.db.exists("Issue Priority", spec["priority"]):
		return  # ERPNext's priorities are missing: the consultant sets the SLA up by hand
	settings = frappe.get_single("Auto Service Settings")
	holiday_list = settings.holiday_list or make_holiday_list()
	if not settings.holiday_list:
		frappe.db.set_single_value("Auto Service Settings", "holiday_list", holiday_list)
	# ERPNext applies no SLA at all while this switch is off.
	frappe.db.set_single_value("Support Settings", "track_service_level_agreement", 1)
	closed = frappe.get_all(
		"Appeal Status", filters={"category": ["in", ["Completed", "Refused"]]}, pluck="name"
	)
	paused = frappe.get_all("Appeal Status", filters={"category": "Paused"}, pluck="name")
	frappe.get_doc(
		{
			"doctype": "Service Level Agreement",
			"service_level": spec["service_level"],
			"document_type": "Appeal",
			"default_service_level_agreement": 1,
			"enabled": 1,
			"default_priority": spec["priority"],
			"holiday_list": holiday_list,
			"apply_sla_for_resolution": 0,
			"priorities": [
				{
					"priority": spec["priority"],
					"response_time": spec["response_time_seconds"],
					"default_priority": 1,
				}
			],
			"support_and_resolution": [
				{"workday": day, "start_time": settings.work_day_start, "end_time": settings.work_day_end}
				for day in spec["workdays"]
			],
			"sla_fulfilled_on": [{"status": status} for status in closed],
			"pause_sla_on": [{"status": status} for status in paused],
		}
	).insert(ignore_permissions=True)


def make_holiday_list() -> str:
	"""This year and the next with Sundays off, for the SLA's working time."""
	from frappe.utils import getdate, nowdate

	year = getdate(nowdate()).year
	name = "Auto Service Holidays"
	if not frappe.db.exists("Holiday List", name):
		holidays = frappe.get_doc(
			{
				"doctype": "Holiday List",
				"holiday_list_name": name,
				"from_date": f"{year}-01-01",
				"to_date": f"{year + 1}-12-31",
				"weekly_off": "Sunday",
			}
		)
		holidays.get_weekly_off_dates()
		holidays.insert(ignore_permissions=True)
	return name


APP_DOCTYPES_WITH_HOST_RECORDS = ("Appeal", "Service Request")


def delete_host_records_of_the_app() -> None:
	"""Records of Frappe/ERPNext DocTypes that exist only for the app's DocTypes."""
	for doctype in ("Service Level Agreement", "Assignment Rule", "Workflow"):
		for name in frappe.get_all(
			doctype, filters={"document_type": ["in", APP_DOCTYPES_WITH_HOST_RECORDS]}, pluck="name"
		):
			frappe.delete_doc(doctype, name, ignore_permissions=True, force=True)
	for name in frappe.get_all(
		"Custom Field", filters={"dt": ["in", APP_DOCTYPES_WITH_HOST_RECORDS]}, pluck="name"
	):
		frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
	for _event, _recipient, _language, name, _subject, _body in defaults.EMAIL_TEMPLATES:
		if frappe.db.exists("Email Template", name):
			frappe.delete_doc("Email Template", name, ignore_permissions=True, force=True)
