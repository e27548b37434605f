"""What installing the app gives a site: DocTypes, roles, defaults, fields and rights on ERPNext."""

import frappe

from auto_service_crm.setup import defaults
from auto_service_crm.setup.custom_fields import get_custom_fields
from auto_service_crm.setup.install import after_migrate
from tests.static.app_files import HOST_DOCTYPES, doctypes


def test_every_doctype_of_the_app_is_on_the_site():
	for name, dt in doctypes().items():
		assert frappe.db.get_value("DocType", name, "module") == "Auto Service CRM", name
		if not dt.get("issingle"):
			assert frappe.db.table_exists(name), name


def test_every_host_doctype_the_app_links_to_exists():
	for name in HOST_DOCTYPES:
		assert frappe.db.exists("DocType", name), name


def test_roles_exist():
	for role in defaults.ROLES:
		assert frappe.db.exists("Role", role)


def test_six_predefined_categories_with_exactly_their_results():
	for category in defaults.CATEGORIES:
		doc = frappe.get_doc("Appeal Category", category["category_name"])
		assert [row.result for row in doc.results] == list(category.get("results", ()))
		assert doc.on_selection == category["on_selection"]
		assert doc.display_order == category["display_order"]


def test_the_automatic_categories_are_rules():
	for rule in defaults.AUTOMATIC_CATEGORY_RULES:
		doc = frappe.get_doc("Automatic Category Rule", rule["rule_name"])
		assert (doc.category, doc.rule_order, doc.enabled) == (rule["category"], rule["rule_order"], 1)
		assert [(c.fact, c.operator, c.value) for c in doc.conditions] == [
			(c["fact"], c["operator"], c["value"]) for c in rule["conditions"]
		]


def test_channels_statuses_and_results_exist():
	assert set(frappe.get_all("Appeal Channel", pluck="name")) >= {
		c["channel_name"] for c in defaults.CHANNELS
	}
	assert frappe.db.get_value("Appeal Status", {"is_default": 1}) == "New"
	assert frappe.db.get_value("Service Request Status", {"is_default": 1}) == "Open"
	assert frappe.db.get_value("Appeal Result", "Sale Made", "record_sale") == 1


def test_custom_fields_on_sales_order():
	meta = frappe.get_meta("Sales Order")
	for field in get_custom_fields()["Sales Order"]:
		assert meta.get_field(field["fieldname"]), field["fieldname"]
		assert frappe.db.has_column("Sales Order", field["fieldname"])


def test_roles_have_rights_on_erpnext_doctypes():
	for doctype, roles in defaults.ERPNEXT_PERMISSIONS.items():
		for role, rights in roles.items():
			perm = frappe.db.get_value(
				"Custom DocPerm",
				{"parent": doctype, "role": role, "permlevel": 0},
				list(rights),
				as_dict=True,
			)
			assert perm and all(perm.values()), (doctype, role)


def snapshot():
	rows = {}
	for doctype in (
		"Appeal Channel",
		"Appeal Status",
		"Service Request Status",
		"Appeal Result",
		"Appeal Category",
	):
		rows[doctype] = frappe.get_all(doctype, fields=["name", "modified"], order_by="name")
	rows["Custom Field"] = frappe.get_all(
		"Custom Field",
		filters={
			"dt": "Sales Order",
			"fieldname": ("in", [f["fieldname"] for f in get_custom_fields()["Sales Order"]]),
		},
		fields=["name", "modified"],
		order_by="name",
	)
	rows["Role"] = frappe.get_all(
		"Role", filters={"name": ("in", defaults.ROLES)}, fields=["name", "modified"]
	)
	return rows


def test_migrate_steps_change_nothing_when_run_again():
	after_migrate()
	before = snapshot()
	after_migrate()
	assert snapshot() == before


def test_a_consultants_edits_survive_migrate():
	category = frappe.get_doc("Appeal Category", "Other")
	category.show_in_list = 0
	category.display_order = 42
	category.description = "Edited by the consultant"
	category.save()
	frappe.rename_doc("Appeal Result", "Postpone", "Postpone the Task", force=True)
	frappe.delete_doc("Appeal Channel", "Mobile App", force=True)

	after_migrate()

	category.reload()
	assert (category.show_in_list, category.display_order, category.description) == (
		0,
		42,
		"Edited by the consultant",
	)
	assert not frappe.db.exists("Appeal Result", "Postpone")
	assert frappe.db.exists("Appeal Result", "Postpone the Task")
	assert "Postpone the Task" in [
		r.result for r in frappe.get_doc("Appeal Category", "Repair Services").results
	]
	assert not frappe.db.exists("Appeal Channel", "Mobile App")


def test_the_reports_are_on_the_site():
	for report in ("Appeal Funnel", "Missed Calls", "Demand by Work Type", "SLA Compliance"):
		assert frappe.db.get_value("Report", report, ["module", "report_type"]) == (
			"Auto Service CRM",
			"Script Report",
		)


def test_a_russian_site_gets_russian_default_texts():
	from auto_service_crm.setup.install import make_default_records

	frappe.db.set_single_value("System Settings", "language", "ru")
	frappe.db.delete("Appeal Category")
	frappe.db.delete("Appeal Category Result")
	make_default_records()
	script = frappe.db.get_value("Appeal Category", "Repair Services", "call_script")
	assert script.startswith("<p>Спросите, что случилось с автомобилем")
	assert [r.result for r in frappe.get_doc("Appeal Category", "Repair Services").results] == [
		"Client Booked",
		"Postpone",
		"Redirect",
		"Refused",
	]


def test_the_appeal_title_is_in_no_language_whoever_saves_it():
	"""A webhook (a Guest request in English) and a Russian operator write the same title: the
	client; the category is a translated link beside it."""
	titles = []
	for lang in ("en", "ru"):
		frappe.local.lang = lang
		try:
			appeal = frappe.get_doc(
				{"doctype": "Appeal", "channel": "Visit", "client_name": "Анна", "category": "Other"}
			).insert()
			titles.append(appeal.title)
		finally:
			frappe.local.lang = "en"
	assert titles == ["Анна", "Анна"]
	assert frappe.get_meta("Appeal Category").translated_doctype, "category names show translated"


def test_the_sla_is_made_when_erpnexts_setup_wizard_completes():
	"""Installed before the wizard (no Issue Priorities yet), the app gets its SLA from the wizard.

	ERPNext commits when it inserts an SLA (it updates the document's custom fields, which alters the
	table): this test leaves the SLA made again, as the site had it. With it comes the index of the
	SLA reports, which covers its fields."""
	from auto_service_crm.setup.install import add_appeal_report_indexes, make_service_level_agreement

	hook = "auto_service_crm.setup.install.after_setup_wizard"
	assert hook in frappe.get_hooks("setup_wizard_complete")
	try:
		for name in frappe.get_all("Service Level Agreement", {"document_type": "Appeal"}, pluck="name"):
			frappe.delete_doc("Service Level Agreement", name, force=True, ignore_permissions=True)
		assert not frappe.db.exists("Service Level Agreement", {"document_type": "Appeal"})
		frappe.db.sql_ddl("ALTER TABLE `tabAppeal` DROP INDEX `sla_period`")  # as on a site new to it
		frappe.get_attr(hook)({"company_name": "Wind Power LLC"})
		sla = frappe.get_doc("Service Level Agreement", {"document_type": "Appeal"})
		assert (sla.enabled, sla.default_service_level_agreement) == (1, 1)
		assert frappe.db.sql("SHOW INDEX FROM `tabAppeal` WHERE `Key_name` = 'sla_period'"), (
			"the SLA reports' index, made once the SLA has added its fields"
		)
	finally:
		frappe.db.rollback()
		make_service_level_agreement()
		add_appeal_report_indexes()
		frappe.db.commit()
