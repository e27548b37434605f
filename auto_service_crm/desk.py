"""What the appeal window shows the operator (seed 002, «Структура окна обработки входящего
обращения»): the client portrait, the call script, the results of the category with the fields
each needs, and the event feed of every contact with the client."""

import frappe
from frappe import _
from frappe.utils import strip_html_tags

from auto_service_crm.appeal_facts import client_key
from auto_service_crm.clients import repair_order_filters_from_settings
from auto_service_crm.processing import result_spec
from auto_service_crm.recommendations import open_recommendations
from auto_service_crm.rules.appeal_completion import AppealState, fields_needed
from auto_service_crm.rules.client_kind import CLOSED_ORDER_STATUSES
from auto_service_crm.status import OPEN_CATEGORIES, statuses_of


def client_filters(doc) -> dict:
	"""Filters for the appeals of the appeal's client: by customer, else phone, else only this one."""
	key = client_key(doc)
	return {key[0]: key[1]} if key else {"name": doc.name}


def readable_appeal(name: str):
	doc = frappe.get_doc("Appeal", name)
	doc.check_permission("read")
	return doc


@frappe.whitelist()
def category_results(category: str) -> list[dict]:
	"""The results the operator may choose in a category, each with the Appeal fields it requires:
	those the result lists, then those its action needs by itself (a redirect's specialist, a
	sale's order; the callback time shows with «Call the Client Back»)."""
	frappe.has_permission("Appeal Category", "read", throw=True)
	rows = frappe.get_all(
		"Appeal Category Result",
		filters={"parent": category, "parenttype": "Appeal Category"},
		pluck="result",
		order_by="idx",
	)
	out = []
	for name in rows:
		spec = result_spec(name)
		out.append(
			{
				"result": name,
				"action": spec.action,
				"requires": list(fields_needed(spec, AppealState(category=category, result=name))),
			}
		)
	return out


@frappe.whitelist()
def call_script(category: str | None) -> str | None:
	"""The category's call script for the reader: the shipped script in the reader's language, a
	consultant's own as written."""
	from auto_service_crm.setup.defaults import localized_text

	if not category:
		return None
	frappe.has_permission("Appeal Category", "read", throw=True)
	return localized_text(frappe.db.get_value("Appeal Category", category, "call_script"), frappe.local.lang)


@frappe.whitelist()
def client_portrait(appeal: str) -> dict:
	"""Everything about the client the operator needs while talking: cars, open requests and
	repair orders, open recommendations (most urgent first, with their due state), recent
	appeals, and the script of the chosen category."""
	doc = readable_appeal(appeal)
	portrait = {
		"client_name": doc.client_name,
		"customer": doc.customer,
		"client_kind": doc.client_kind,
		"identification": doc.identification,
		"phone": doc.phone,
		"call_script": call_script(doc.category),
		"vehicles": [],
		"service_requests": [],
		"repair_orders": [],
		"recommendations": [],
		"recent_appeals": [],
	}
	key = client_filters(doc)
	if doc.customer or doc.phone_normalized:
		portrait["recent_appeals"] = frappe.get_list(  # the appeals the reader may see
			"Appeal",
			filters={**key, "name": ["!=", doc.name]},
			fields=["name", "appeal_datetime", "channel", "category", "result", "status"],
			order_by="appeal_datetime desc",
			limit=10,
		)
	if not doc.customer:
		return portrait
	portrait["vehicles"] = frappe.get_all(
		"Customer Vehicle",
		filters={"customer": doc.customer},
		fields=["name", "title", "vehicle_model", "year", "license_plate", "vin", "current_mileage"],
		order_by="modified desc",
	)
	portrait["service_requests"] = frappe.get_list(
		"Service Request",
		filters={
			"customer": doc.customer,
			"status": ["in", statuses_of("Service Request Status", OPEN_CATEGORIES)],
		},
		fields=["name", "kind", "status", "booking_time", "vehicle"],
		order_by="modified desc",
	)
	portrait["repair_orders"] = frappe.get_all(
		"Sales Order",
		filters={
			"customer": doc.customer,
			"docstatus": 1,
			"status": ["not in", (*CLOSED_ORDER_STATUSES, "Cancelled")],
			**repair_order_filters_from_settings(),
		},
		fields=["name", "status", "transaction_date", "delivery_date", "grand_total", "currency"],
		order_by="transaction_date desc",
	)
	portrait["recommendations"] = open_recommendations(doc.customer)
	return portrait


@frappe.whitelist()
def event_feed(appeal: str, limit: int = 50) -> list[dict]:
	"""Every contact with the client over every channel, newest first: appeals, calls, messages.

	The messages of the client's appeals, the client's and the operators' replies alike, make one
	conversation in order of time (``communication_date``, then the order they were kept in): each
	says who wrote it (``direction`` Received or Sent, ``sender``), and a reply that was not
	delivered is marked ``failed`` with the provider's reason (``error``), also written into its text.
	"""
	doc = readable_appeal(appeal)
	limit = min(int(limit), 200)
	key = client_filters(doc)
	appeals = frappe.get_list(  # the client's appeals the reader may see, and what hangs on them
		"Appeal",
		filters=key,
		fields=["name", "appeal_datetime", "channel", "category", "client_comment", "call_log"],
		order_by="appeal_datetime desc",
		limit=limit,
	)
	feed = [
		{
			"when": a.appeal_datetime,
			"order": 0,
			"kind": "Appeal",
			"channel": a.channel,
			"doctype": "Appeal",
			"name": a.name,
			"text": _(a.category) if a.category else a.client_comment or "",
		}
		for a in appeals
	]
	names = [a.name for a in appeals]
	for message in frappe.get_all(
		"Communication",
		filters={"reference_doctype": "Appeal", "reference_name": ["in", names or [""]]},
		fields=[
			"name",
			"creation",
			"communication_date",
			"communication_medium",
			"sent_or_received",
			"delivery_status",
			"sender",
			"sender_full_name",
			"content",
			"subject",
		],
		order_by="communication_date desc, creation desc",
		limit=limit,
	):
		feed.append(message_row(message))
	# the calls of the appeals: the call that made each, and the calls out linked to them
	link = frappe.qb.DocType("Dynamic Link")
	linked = (
		frappe.qb.from_(link)
		.select(link.parent)
		.where(
			(link.parenttype == "Call Log")
			& (link.link_doctype == "Appeal")
			& (link.link_name.isin(names or [""]))
		)
		.run(pluck=True)
	)
	calls = {a.call_log for a in appeals if a.call_log} | set(linked)
	may_listen = can_hear_recordings()
	for call in frappe.get_all(
		"Call Log",
		filters={"name": ["in", list(calls) or [""]]},
		fields=["name", "start_time", "status", "duration", "type", "recording_url"],
	):
		feed.append(
			{
				"when": call.start_time,
				"order": 0,
				"kind": "Call",
				"channel": call.type,
				"doctype": "Call Log",
				"name": call.name,
				"text": f"{_(call.status)} {int(call.duration or 0)} s",
				"recording": bool(call.recording_url) and may_listen,
			}
		)
	# newest first; messages kept in the same second stay in the order they were kept
	feed.sort(key=lambda row: (str(row["when"] or ""), str(row["order"] or "")), reverse=True)
	for row in feed:
		del row["order"]
	return feed[:limit]


def can_hear_recordings() -> bool:
	from auto_service_crm.telephony.recordings import LISTENERS

	return bool(set(LISTENERS) & set(frappe.get_roles()))


def message_row(message) -> dict:
	"""One message of the conversation in the feed: who wrote it, what, and whether it was delivered."""
	failed = message.sent_or_received == "Sent" and message.delivery_status == "Error"
	text = strip_html_tags(message.content or ("" if failed else message.subject) or "")[:300]
	sender = message.sender_full_name or message.sender
	shown = f"{sender}: {text}" if sender else text
	if failed:
		shown = _("{0} (not delivered: {1})").format(shown, message.subject or _("no reason given"))
	return {
		"when": message.communication_date,
		"order": message.creation,
		"kind": "Message",
		"channel": message.communication_medium,
		"doctype": "Communication",
		"name": message.name,
		"direction": message.sent_or_received,
		"sender": sender,
		"failed": failed,
		"error": message.subject if failed else None,
		"text": shown,
	}


@frappe.whitelist()
def task_tree(appeal: str) -> list[dict]:
	"""The client's appeals, each with its Service Request and the open tasks of both, newest first."""
	doc = readable_appeal(appeal)
	key = client_filters(doc)
	appeals = frappe.get_list(  # the client's appeals the reader may see
		"Appeal",
		filters=key,
		fields=["name", "title", "status", "appeal_datetime", "service_request"],
		order_by="appeal_datetime desc",
		limit=50,
	)

	def tasks(doctype: str, name: str) -> list[dict]:
		return frappe.get_all(
			"ToDo",
			filters={"reference_type": doctype, "reference_name": name, "status": "Open"},
			fields=["name", "allocated_to", "date", "description"],
			order_by="creation",
		)

	tree = []
	for row in appeals:
		node = {
			"doctype": "Appeal",
			"name": row.name,
			"title": row.title,
			"status": row.status,
			"tasks": tasks("Appeal", row.name),
			"children": [],
		}
		if row.service_request:
			request = frappe.db.get_value(
				"Service Request", row.service_request, ["title", "status"], as_dict=True
			)
			node["children"].append(
				{
					"doctype": "Service Request",
					"name": row.service_request,
					"title": request.title,
					"status": request.status,
					"tasks": tasks("Service Request", row.service_request),
					"children": [],
				}
			)
		tree.append(node)
	return tree
