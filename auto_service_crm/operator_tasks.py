"""Tasks for the operators as a group (a missed call, a website callback): a ToDo for each enabled
operator, with the role, so whoever takes the appeal first sees it in their list; the task «Specify
the appeal's result» of the operator who answered; and the staff behind a PBX line."""

import frappe

OPERATOR_ROLE = "Auto Service Operator"
MANAGER_ROLE = "Auto Service Manager"


def users_with_role(role: str) -> list[str]:
	return frappe.get_all(
		"Has Role", filters={"role": role, "parenttype": "User"}, pluck="parent", distinct=True
	)


STAFF_KEY = "asc_staff_with_role"


def staff_with_role(role: str) -> list[str]:
	"""The enabled desk users who have the role (kept in the cache: every call's card goes to the
	operators; a change of any user forgets it, ``forget_staff``)."""
	return frappe.cache.hget(
		STAFF_KEY,
		role,
		lambda: frappe.get_all(
			"User",
			filters={"enabled": 1, "user_type": "System User", "name": ["in", users_with_role(role)]},
			pluck="name",
		),
	)


def forget_staff(doc=None, method=None) -> None:
	"""A user saved or deleted (their roles are theirs): the staff by role are read again, now and
	once the transaction ends, whether it commits or not (a user of a rolled-back transaction was
	read meanwhile)."""

	def forget():
		frappe.cache.delete_value(STAFF_KEY)

	forget()
	frappe.db.after_commit.add(forget)
	frappe.db.after_rollback.add(forget)


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


RESULT_TASK = "Specify the appeal's result"
LINE_FIELDS = ("asc_phone_line", "name", "phone", "mobile_no")


def close_tasks(appeal: str, keep_user: str | None = None) -> list[str]:
	"""Close the appeal's open tasks (those of ``keep_user`` excepted): once one operator has taken
	the appeal, nobody is left with a stale task for it. Returns the users whose tasks closed."""
	filters = {"reference_type": "Appeal", "reference_name": appeal, "status": "Open"}
	closed = []
	for todo in frappe.get_all("ToDo", filters=filters, fields=["name", "allocated_to"]):
		if keep_user and todo.allocated_to == keep_user:
			continue
		task = frappe.get_doc("ToDo", todo.name)
		task.status = "Closed"
		task.save(ignore_permissions=True)  # ToDo.on_update takes the user off the appeal's assignees
		closed.append(todo.allocated_to)
	return closed


def result_task(appeal: str, user: str) -> str | None:
	"""«Specify the appeal's result»: the task of the operator who answered (one, however many times
	the call's events arrive)."""
	from frappe import _

	from auto_service_crm.settings import site_language

	if frappe.db.exists(
		"ToDo",
		{"reference_type": "Appeal", "reference_name": appeal, "allocated_to": user, "status": "Open"},
	):
		return None
	todo = frappe.get_doc(
		{
			"doctype": "ToDo",
			"allocated_to": user,
			"reference_type": "Appeal",
			"reference_name": appeal,
			"description": _(RESULT_TASK, lang=site_language()),
			"priority": "High",
		}
	).insert(ignore_permissions=True)
	return todo.name


def user_for_line(line: str | None) -> str | None:
	"""The staff member behind a PBX extension, SIP login or number: the line set in their user
	profile (PBX Line), else their user id, or the phone or mobile number of the profile (the
	number «Call back» rings them on)."""
	if not line:
		return None
	filters = {"enabled": 1, "user_type": "System User"}
	for field in LINE_FIELDS:
		if field.startswith("asc_") and not frappe.get_meta("User").has_field(field):
			continue
		user = frappe.db.get_value("User", {**filters, field: line}, "name")
		if user:
			return user
	return None
