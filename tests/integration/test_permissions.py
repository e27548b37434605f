"""Each role reaches what it should; a user without the app's roles is refused."""

import pytest

import frappe

from tests.integration.factories import make_customer, make_user


def new_appeal():
	return frappe.get_doc({"doctype": "Appeal", "channel": "Incoming Call", "phone": "+79161234567"})


def test_user_without_the_apps_roles_is_refused():
	frappe.set_user(make_user("Sales User"))
	with pytest.raises(frappe.PermissionError):
		new_appeal().insert()
	with pytest.raises(frappe.PermissionError):
		frappe.get_list("Appeal")
	with pytest.raises(frappe.PermissionError):
		frappe.get_doc({"doctype": "Service Request", "kind": "Repair"}).insert()
	with pytest.raises(frappe.PermissionError):
		frappe.get_doc({"doctype": "Vehicle Model", "make": "Kia", "model": "Rio"}).insert()


@pytest.mark.parametrize("role", ["Auto Service Operator", "Service Advisor", "Parts Manager"])
def test_staff_work_on_appeals_but_cannot_configure_or_delete(role):
	appeal = new_appeal().insert(ignore_permissions=True)
	user = make_user(role)
	if role != "Auto Service Operator":  # a specialist sees the appeals they take part in
		frappe.share.add("Appeal", appeal.name, user, read=1)
	frappe.set_user(user)
	new_appeal().insert()
	assert frappe.get_list("Appeal", filters={"name": appeal.name}, pluck="name") == [appeal.name]
	assert frappe.has_permission("Appeal Category", "read")
	with pytest.raises(frappe.PermissionError):
		frappe.get_doc(
			{"doctype": "Appeal Category", "category_name": "Tyres", "on_selection": "Close Appeal"}
		).insert()
	with pytest.raises(frappe.PermissionError):
		frappe.get_doc("Auto Service Settings").save()
	with pytest.raises(frappe.PermissionError):
		frappe.delete_doc("Appeal", appeal.name)


def test_operator_can_create_a_new_client():
	frappe.set_user(make_user("Auto Service Operator"))
	assert frappe.db.exists("Customer", make_customer())


def test_manager_configures_categories_and_settings():
	frappe.set_user(make_user("Auto Service Manager"))
	frappe.get_doc(
		{
			"doctype": "Appeal Category",
			"category_name": "Tyre Fitting",
			"on_selection": "Ask for Result",
			"results": [{"result": "Client Booked"}, {"result": "Refused"}],
			"display_order": 7,
		}
	).insert()
	settings = frappe.get_doc("Auto Service Settings")
	settings.same_day_appeal_threshold = 3
	settings.save()
	appeal = new_appeal().insert()
	frappe.delete_doc("Appeal", appeal.name)
	assert not frappe.db.exists("Appeal", appeal.name)
