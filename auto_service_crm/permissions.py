"""Who sees which appeal and which Service Request (seed 001: the specialists of an appeal have access to it).

Operators, the Auto Service Manager and the System Manager see every appeal and every request. A
Service Advisor or a Parts Manager (without any of those roles) sees only the documents they take
part in, while Auto Service Settings' *Specialists See Only Their Appeals* is on (a site that has not
stored the switch yet counts as on, as the field's default says). Taking part in a document is:

- assigned to it: a ToDo allocated to them for it, open or closed (a cancelled one is an assignment
  taken back); the ToDo is what Frappe's ``_assign`` column is kept from, so the ToDo alone is read;
- shared with them (DocShare with read, to them or to everyone);
- redirected to them (Appeal.redirect_to; a Service Request has no such field: it is handed off by
  its appeal, so the redirect of that appeal counts through the next rule);
- created by them (owner).

A Service Request is also seen by whoever takes part in one of its appeals (the appeal it came from,
``source_appeal``, or an appeal that continued it, ``Appeal.service_request``), and an appeal by
whoever takes part in the Service Request it handed off to or continued: the specialist of a request
reads the appeals that brought it, the specialist of an appeal follows it into its request. It goes
no further (an appeal of the same request is not seen through the request's other appeals).

Both Frappe hooks give the same answer: ``permission_query_conditions`` (lists, report view, link
search, REST, ``frappe.get_list``) and ``has_permission`` (``get_doc``, forms, ``check_permission``),
the latter by running the same condition on the one document's row.
"""

import frappe
from frappe.utils import cint

SEES_ALL_ROLES = frozenset({"Auto Service Operator", "Auto Service Manager", "System Manager"})
SPECIALIST_ROLES = frozenset({"Service Advisor", "Parts Manager"})
SWITCH = "specialists_see_own_appeals"

APPEAL = "`tabAppeal`"
REQUEST = "`tabService Request`"


def specialists_see_own_appeals() -> bool:
	"""The settings' switch as stored; not stored yet (a site from before the field) counts as on."""
	singles = frappe.qb.DocType("Singles")
	stored = (
		frappe.qb.from_(singles)
		.select(singles.value)
		.where((singles.doctype == "Auto Service Settings") & (singles.field == SWITCH))
		.run()
	)
	value = stored[0][0] if stored else None
	return value in (None, "") or bool(cint(value))


def sees_only_own(user: str | None = None) -> bool:
	"""Whether the user sees only the appeals and requests they take part in."""
	user = user or frappe.session.user
	if user == "Administrator":
		return False
	roles = set(frappe.get_roles(user))
	if roles & SEES_ALL_ROLES or not roles & SPECIALIST_ROLES:
		return False
	return specialists_see_own_appeals()


def took_part(doctype: str, row: str, user: str) -> str:
	"""SQL: the user takes part in the document of ``doctype`` whose row is ``row`` (a table or alias).

	``user`` is already escaped. Each branch reads an indexed column: the row's own fields, ToDo by
	(reference_type, reference_name), DocShare by (share_doctype, share_name).
	"""
	kind = frappe.db.escape(doctype)
	branches = [
		f"{row}.`owner` = {user}",
		f"""exists (select 1 from `tabToDo` td where td.`reference_type` = {kind}
			and td.`reference_name` = {row}.`name` and td.`allocated_to` = {user}
			and td.`status` != 'Cancelled')""",
		f"""exists (select 1 from `tabDocShare` ds where ds.`share_doctype` = {kind}
			and ds.`share_name` = {row}.`name` and ds.`read` = 1
			and (ds.`user` = {user} or ds.`everyone` = 1))""",
	]
	if doctype == "Appeal":
		branches.append(f"{row}.`redirect_to` = {user}")
	return "(" + " or ".join(branches) + ")"


def appeal_condition(user: str) -> str:
	"""SQL on ``tabAppeal``: the appeal, or the Service Request it handed off to, is the user's."""
	return f"""({took_part("Appeal", APPEAL, user)}
		or exists (select 1 from {REQUEST} sr where sr.`name` = {APPEAL}.`service_request`
			and {took_part("Service Request", "sr", user)}))"""


def service_request_condition(user: str) -> str:
	"""SQL on ``tabService Request``: the request, or an appeal that brought or continued it, is the user's."""
	return f"""({took_part("Service Request", REQUEST, user)}
		or exists (select 1 from {APPEAL} src where src.`name` = {REQUEST}.`source_appeal`
			and {took_part("Appeal", "src", user)})
		or exists (select 1 from {APPEAL} ap where ap.`service_request` = {REQUEST}.`name`
			and {took_part("Appeal", "ap", user)}))"""


CONDITIONS = {"Appeal": appeal_condition, "Service Request": service_request_condition}


def query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""``permission_query_conditions`` of Appeal and Service Request: nothing for who sees all."""
	user = user or frappe.session.user
	if doctype not in CONDITIONS or not sees_only_own(user):
		return ""
	return CONDITIONS[doctype](frappe.db.escape(user, percent=False))


def appeal_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	return query_conditions(user, "Appeal")


def service_request_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	return query_conditions(user, "Service Request")


def has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False):
	"""``has_permission`` of Appeal and Service Request: denies a document the user does not take part
	in (the same condition as the lists, on its stored row); otherwise leaves it to the roles."""
	user = user or frappe.session.user
	if ptype == "create" or doc.doctype not in CONDITIONS or not sees_only_own(user):
		return None
	if doc.is_new() or not doc.name:
		return None  # being made: the roles decide, and its maker is its owner
	condition = CONDITIONS[doc.doctype](frappe.db.escape(user, percent=False))
	table = APPEAL if doc.doctype == "Appeal" else REQUEST
	name = frappe.db.escape(doc.name, percent=False)
	if frappe.db.sql(f"select 1 from {table} where {table}.`name` = {name} and {condition} limit 1"):
		return None
	return False


@frappe.whitelist()
@frappe.validate_and_sanitize_search_inputs
def search_link(doctype, txt, searchfield, start, page_len, filters):
	"""The link search of Appeals and Service Requests (``standard_queries``). Frappe's own search
	drops every permission rule, these included, when its caller asks it to ignore user permissions
	(a link field that does); this one always lists through ``frappe.get_list``, so a specialist
	finds only what they take part in, whatever the caller asks."""
	meta = frappe.get_meta(doctype)
	searched = list(dict.fromkeys(["name", *meta.get_search_fields()]))
	shown = list(dict.fromkeys(["name", *([meta.title_field] if meta.title_field else []), *searched]))
	return frappe.get_list(
		doctype,
		filters=filters,
		or_filters=[[doctype, field, "like", f"%{txt}%"] for field in searched] if txt else None,
		fields=shown,
		limit_start=start,
		limit_page_length=page_len,
		order_by="modified desc",
		as_list=True,
	)
