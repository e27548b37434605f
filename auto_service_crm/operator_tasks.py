"""Tasks for the operators as a group (a missed call, a website callback): a ToDo for each enabled
operator, with the role, so whoever takes the appeal first sees it in their list."""

import frappe

OPERATOR_ROLE = "Auto Service Operator"
MANAGER_ROLE = "Auto Service Manager"


def users_with_role(role: str) -> list[str]:
	return frappe.get_all(
		"Has Role", filters={"role": role, "parenttype": "User"}, pluck="parent", distinct=True
	)


def staff_with_role(role: str) -> list[str]:
	"""The enabled desk users who have the role."""
	return frappe.get_all(
		"User",
		filters={"enabled": 1, "user_type": "System User", "name": ["in", users_with_role(role)]},
		pluck="name",
	)


def operators() -> list[str]:
	return staff_with_role(OPERATOR_ROLE)


def managers() -> list[str]:
	return staff_with_role(MANAGER_ROLE)


def task_for_operators(appeal: str, description: str, date=None, priority: str = "Medium") -> list[str]:
	"""One open ToDo per operator on the appeal (one with the role only when there are none)."""
	users = operators()
	for user in users or [None]:
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": user,
				"role": OPERATOR_ROLE,
				"reference_type": "Appeal",
				"reference_name": appeal,
				"description": description,
				"date": date,
				"priority": priority,
			}
		).insert(ignore_permissions=True)
	return users


def user_for_line(line: str | None) -> str | None:
	"""The staff member behind a PBX extension, SIP login or number: the line is their user id, or
	the phone or mobile number in their user profile (the number «Call back» rings them on)."""
	if not line:
		return None
	filters = {"enabled": 1, "user_type": "System User"}
	for field in ("name", "phone", "mobile_no"):
		user = frappe.db.get_value("User", {**filters, field: line}, "name")
		if user:
			return user
	return None
