"""Facts about the client of an appeal, read from the database for the automatic rules."""

import frappe
from frappe.utils import add_days, get_datetime, getdate

from auto_service_crm.clients import repair_order_filters_from_settings
from auto_service_crm.rules.automatic_categories import ClientFacts, RefusedRequest
from auto_service_crm.rules.client_kind import CLOSED_ORDER_STATUSES
from auto_service_crm.status import OPEN_CATEGORIES, statuses_of


def client_key(appeal) -> tuple[str, str] | None:
	"""The field and value that identify the client: the customer, else the phone."""
	if appeal.customer:
		return "customer", appeal.customer
	if appeal.phone_normalized:
		return "phone_normalized", appeal.phone_normalized
	return None


def count_same_day_appeals(field: str, value: str, day, exclude: str | None) -> int:
	"""A locking read: it sees appeals committed since this transaction began (the client lock
	makes a second simultaneous appeal wait for the first, then count it)."""
	Appeal = frappe.qb.DocType("Appeal")
	query = (
		frappe.qb.from_(Appeal)
		.select(Appeal.name)
		.where(Appeal[field] == value)
		.where(Appeal.appeal_datetime[f"{day} 00:00:00" : f"{day} 23:59:59.999999"])
		.where(Appeal.name != (exclude or ""))
		.for_update()
	)
	return len(query.run())


def gather_client_facts(appeal) -> ClientFacts:
	"""The facts the automatic category rules read of the appeal's client (of the latest refusal
	only: a rule says how long ago it may be)."""
	appeal_on = get_datetime(appeal.appeal_datetime)
	own = {"client_kind": appeal.client_kind, "channel": appeal.channel, "ad_channel": appeal.ad_channel}
	key = client_key(appeal)
	if not key:
		return ClientFacts(appeal_on=appeal_on, **own)
	field, value = key
	day = getdate(appeal_on)
	earlier = count_same_day_appeals(field, value, day, appeal.name)
	if field != "customer":
		return ClientFacts(appeal_on=appeal_on, earlier_appeals_same_day=earlier, **own)

	open_requests = frappe.get_all(
		"Service Request",
		filters={"customer": value, "status": ["in", statuses_of("Service Request Status", OPEN_CATEGORIES)]},
		order_by="modified desc",
		pluck="name",
	)
	open_orders = frappe.get_all(
		"Sales Order",
		filters={
			"customer": value,
			"docstatus": 1,
			"status": ["not in", (*CLOSED_ORDER_STATUSES, "Cancelled")],
			**repair_order_filters_from_settings(),
		},
		order_by="transaction_date desc",
		pluck="name",
	)
	# the latest refusal not after the appeal's day (a refusal after it does not count)
	refused = frappe.get_all(
		"Service Request",
		filters={
			"customer": value,
			"status": ["in", statuses_of("Service Request Status", ("Refused",))],
			"closed_on": ["<", add_days(day, 1)],
		},
		fields=["name", "closed_on"],
		order_by="closed_on desc, name desc",
		limit=1,
	)
	return ClientFacts(
		appeal_on=appeal_on,
		earlier_appeals_same_day=earlier,
		open_service_requests=tuple(open_requests),
		open_repair_orders=tuple(open_orders),
		refused_requests=tuple(RefusedRequest(r.name, get_datetime(r.closed_on)) for r in refused),
		**own,
	)
