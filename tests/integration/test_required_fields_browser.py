"""The forms in a real browser: the consultant picks a required field among the Appeal's fields
(their custom field too), and the appeal window asks for what the chosen result requires."""

import frappe

from tests.integration.factories import make_customer, make_user
from tests.integration.test_browser import browser, log_in, open_form, screenshot, wait
from tests.integration.test_required_fields import TYRE_SIZE, tyre_size

__all__ = ["browser", "tyre_size"]  # the fixtures used here


def shown_and_required(driver, field):
	return driver.execute_script(
		"const f = cur_frm.fields_dict[arguments[0]];"
		"return [!!(f && f.disp_status === 'Write'), !!(f && f.df.reqd)];",
		field,
	)


def test_the_appeal_window_asks_for_the_fields_the_chosen_result_requires(web_server, browser, tyre_size):
	frappe.set_user("Administrator")
	password = "Asc-Test-" + frappe.generate_hash(length=8)
	manager = make_user("Auto Service Manager", "Auto Service Operator")
	user = frappe.get_doc("User", manager)
	user.new_password = password
	user.save(ignore_permissions=True)
	frappe.get_doc(
		{
			"doctype": "Appeal Result",
			"result_name": "Tyres Checked",
			"action": "Close Appeal",
			"appeal_status": "Closed",
			"required_fields": [{"fieldname": TYRE_SIZE}],
		}
	).insert()
	frappe.get_doc(
		{
			"doctype": "Appeal Category",
			"category_name": "Tyre Fitting",
			"display_order": 20,
			"is_targeted": 1,
			"results": [{"result": "Tyres Checked"}, {"result": "Refused"}],
		}
	).insert()
	customer = make_customer()
	appeal = frappe.get_doc({"doctype": "Appeal", "channel": "Visit", "customer": customer}).insert()
	frappe.db.commit()
	try:
		log_in(browser, web_server, manager, password)
		browser.get(f"{web_server}/app/appeal-result/Tyres Checked")
		wait(
			lambda: browser.execute_script(
				"return cur_frm.doc.name === 'Tyres Checked' && (cur_frm.fields_dict.required_fields.grid"
				".get_docfield('fieldname').options || []).length > 0"
			),
			browser,
			what="the result's choice of Appeal fields",
		)
		options = browser.execute_script(
			"return cur_frm.fields_dict.required_fields.grid.get_docfield('fieldname').options"
		)
		values = {o["value"]: o["label"] for o in options}
		assert values[TYRE_SIZE] == f"Tyre Size ({TYRE_SIZE})"
		assert "result_reason" in values and "items" in values
		assert "client_section" not in values  # a section holds no value
		screenshot(browser, "appeal_result_required_fields")

		open_form(browser, web_server, "Appeal", appeal.name, what="the appeal")
		browser.execute_async_script(
			"const done = arguments[arguments.length - 1];"
			"cur_frm.set_value('category', 'Tyre Fitting')"
			".then(() => new Promise(r => setTimeout(r, 1500))).then(() => done(true));"
		)
		# a field a result of the category may require is out of sight until a result asks for it
		assert shown_and_required(browser, TYRE_SIZE) == [False, False]
		browser.execute_async_script(
			"const done = arguments[arguments.length - 1];"
			"cur_frm.set_value('result', 'Tyres Checked').then(() => done(true));"
		)
		wait(lambda: shown_and_required(browser, TYRE_SIZE) == [True, True], browser, what="the tyre size")
		assert shown_and_required(browser, "result_reason") == [False, False]
		screenshot(browser, "appeal_requires_custom_field")
		browser.execute_async_script(
			"const done = arguments[arguments.length - 1];"
			"cur_frm.set_value('result', 'Refused').then(() => done(true));"
		)
		wait(lambda: shown_and_required(browser, "result_reason") == [True, True], browser, what="the reason")
		assert shown_and_required(browser, TYRE_SIZE) == [False, False]
	finally:
		frappe.db.rollback()
		frappe.set_user("Administrator")
		frappe.delete_doc("Appeal", appeal.name, force=True)
		frappe.delete_doc("Customer", customer, force=True)
		frappe.delete_doc("Appeal Category", "Tyre Fitting", force=True)
		frappe.delete_doc("Appeal Result", "Tyres Checked", force=True)
		frappe.delete_doc("User", manager, force=True)
		frappe.db.commit()
