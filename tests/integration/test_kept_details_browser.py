"""On the appeal's form, choosing a work type fills the client comment at once, after the
operator's words (a real browser, as tests/integration/test_browser.py runs it)."""

import frappe

from tests.integration.factories import make_user
from tests.integration.test_browser import browser, log_in, open_form, wait


def test_choosing_a_work_type_on_the_form_fills_the_comment(web_server, browser):  # noqa: F811
	password = "Asc-Test-" + frappe.generate_hash(length=8)
	operator = make_user("Auto Service Operator")
	user = frappe.get_doc("User", operator)
	user.new_password = password
	user.save(ignore_permissions=True)
	work_type = f"ASC Form Kept {frappe.generate_hash(length=6)}"
	frappe.get_doc(
		{"doctype": "Work Type", "work_type_name": work_type, "comment_text": "Диагностика ходовой"}
	).insert()
	appeal = frappe.get_doc(
		{
			"doctype": "Appeal",
			"channel": "Incoming Call",
			"phone": "+79168000405",
			"client_comment": "Стучит справа",
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	try:
		log_in(browser, web_server, operator, password)
		open_form(browser, web_server, "Appeal", appeal.name, what="the appeal's form")
		# what the Table MultiSelect control does when the operator picks a value
		browser.execute_script(
			"frappe.model.set_value(cur_frm.doctype, cur_frm.docname, 'work_types', [{work_type: arguments[0]}]);",
			work_type,
		)
		expected = "Стучит справа\nДиагностика ходовой"
		wait(
			lambda: browser.execute_script("return cur_frm.doc.client_comment") == expected,
			browser,
			what="the comment filled from the work type",
		)
		assert browser.execute_script("return cur_frm.doc.client_comment") == expected
	finally:
		frappe.db.rollback()
		frappe.delete_doc("Appeal", appeal.name, force=True)
		frappe.delete_doc("Work Type", work_type, force=True)
		frappe.delete_doc("User", operator, force=True)
		frappe.db.commit()
