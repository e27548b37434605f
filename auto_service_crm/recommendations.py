"""Recommendations (seed 002: the client portrait shows current requests, repair orders and
recommendations): the work a service advisor recommends on a Service Request or a repair order,
offered to the client in the portrait while they are on the phone and booked from the appeal
through the usual hand-off."""

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from auto_service_crm.rules.appeal_completion import Action
from auto_service_crm.rules.recommendations import DUE_LABELS, OPEN, Recommendation, km_left, portrait_order
from auto_service_crm.rules.work_type_comment import comment_with_work_types
from auto_service_crm.status import category_of

DOCTYPE = "Service Recommendation"
BOOKED = "Booked"


def open_recommendations(customer: str) -> list[dict]:
	"""The customer's open recommendations the reader may see, most urgent first, each with its due
	state's label (``rules.recommendations``) measured against its car's last reading."""
	rows = frappe.get_list(
		DOCTYPE,
		filters={"customer": customer, "status": OPEN},
		fields=["name", "description", "work_type", "vehicle", "due_mileage", "due_date", "status", "appeal"],
		order_by="creation asc",
	)
	if not rows:
		return []
	cars = {
		car.name: car
		for car in frappe.get_all(
			"Customer Vehicle",
			filters={"name": ["in", [r.vehicle for r in rows if r.vehicle] or [""]]},
			fields=["name", "title", "current_mileage"],
		)
	}
	by_name = {r.name: r for r in rows}
	recs = [
		Recommendation(
			name=r.name,
			status=r.status,
			due_date=getdate(r.due_date) if r.due_date else None,
			due_mileage=r.due_mileage or None,
			current_mileage=cars[r.vehicle].current_mileage if r.vehicle in cars else None,
		)
		for r in rows
	]
	out = []
	for rec, state in portrait_order(recs, getdate(nowdate())):
		row = by_name[rec.name]
		car = cars.get(row.vehicle)
		out.append(
			{
				**row,
				"vehicle_title": car.title if car else None,
				"due": DUE_LABELS[state],
				"km_left": km_left(rec),
			}
		)
	return out


def booking_result(category: str | None = None) -> tuple[str, str]:
	"""The category and result that book a repair: a result that hands off to a Repair request
	whose status is open (not a postponement), neither reserving nor selling; the appeal's own
	category when it allows one, else the first shown category that does."""
	result = frappe.qb.DocType("Appeal Result")
	allowed = frappe.qb.DocType("Appeal Category Result")
	cat = frappe.qb.DocType("Appeal Category")
	rows = (
		frappe.qb.from_(allowed)
		.join(result)
		.on(result.name == allowed.result)
		.join(cat)
		.on(cat.name == allowed.parent)
		.select(cat.name.as_("category"), result.name.as_("result"), result.service_request_status)
		.where(
			(allowed.parenttype == "Appeal Category")
			& (result.action == Action.HAND_OFF.value)
			& (result.service_request_kind == "Repair")
			& (result.reserve_stock == 0)
			& (result.record_sale == 0)
		)
		.orderby(cat.show_in_list, order=frappe.qb.desc)
		.orderby(cat.display_order)
		.orderby(allowed.idx)
		.run(as_dict=True)
	)
	rows = [
		r
		for r in rows
		if not r.service_request_status
		or category_of("Service Request Status", r.service_request_status) == "Open"
	]
	if not rows:
		frappe.throw(
			_("No appeal result hands off to a repair booking: set one up in Appeal Result"),
			title=_("Cannot Book"),
		)
	own = [r for r in rows if r.category == category]
	chosen = (own or rows)[0]
	return chosen.category, chosen.result


@frappe.whitelist(methods=["POST"])
def book_from_appeal(appeal: str, recommendation: str) -> dict:
	"""«Book» in the portrait: the appeal is filled for handing off a repair booking of the
	recommended work (category and result, the work type, the description after the client
	comment, the car) and the recommendation remembers the appeal; «Done, close» then creates the
	Service Request as usual, and the recommendation becomes Booked in it."""
	doc = frappe.get_doc("Appeal", appeal)
	doc.check_permission("write")
	rec = frappe.get_doc(DOCTYPE, recommendation)
	rec.check_permission("write")
	if doc.completed_on:
		frappe.throw(_("The appeal {0} is already completed").format(doc.name), title=_("Cannot Book"))
	if rec.status != OPEN:
		frappe.throw(
			_("Recommendation {0} is {1}: only an open one can be booked").format(rec.name, _(rec.status)),
			title=_("Cannot Book"),
		)
	if doc.customer and doc.customer != rec.customer:
		frappe.throw(_("Recommendation {0} is another customer's").format(rec.name), title=_("Cannot Book"))
	category, result = booking_result(doc.category)
	if doc.category != category:
		if doc.category_set_automatically and not (doc.category_override_reason or "").strip():
			doc.category_override_reason = _("Booking recommendation {0}").format(rec.name)
		doc.category = category
	doc.result = result
	doc.customer = rec.customer
	if rec.vehicle:
		doc.vehicle = rec.vehicle
	if rec.work_type and rec.work_type not in {row.work_type for row in doc.work_types}:
		doc.append("work_types", {"work_type": rec.work_type})
	doc.client_comment = comment_with_work_types(doc.client_comment, [rec.description])
	doc.save()
	rec.db_set("appeal", doc.name)
	return {"category": category, "result": result}


def on_appeal_update(doc, method=None) -> None:
	"""An appeal handed off into a Service Request of its own books the recommendations it was
	filled from (Booked, in that request, by that appeal); one completed without a request lets
	them go, open, for another appeal to book."""
	if not doc.completed_on or not doc.has_value_changed("completed_on"):
		return
	pending = frappe.get_all(DOCTYPE, filters={"appeal": doc.name, "status": OPEN}, pluck="name")
	if not pending:
		return
	made_here = doc.service_request and (
		frappe.db.get_value("Service Request", doc.service_request, "source_appeal") == doc.name
	)
	for name in pending:
		rec = frappe.get_doc(DOCTYPE, name)
		if made_here:
			rec.status = BOOKED
			rec.booked_in = doc.service_request
		else:
			rec.appeal = None
		rec.save(ignore_permissions=True)  # what the appeal's completion did, not the operator's edit


def source_dashboard(data, source_doctype: str):
	"""The recommendations recorded on a Service Request or a repair order, in its connections."""
	data = frappe._dict(data or {})
	data.setdefault("non_standard_fieldnames", {})[DOCTYPE] = "source_name"
	data.setdefault("dynamic_links", {})["source_name"] = [source_doctype, "source_doctype"]
	data.setdefault("transactions", []).append({"label": _("Recommendations"), "items": [DOCTYPE]})
	return data


def service_request_dashboard(data):
	return source_dashboard(data, "Service Request")


def sales_order_dashboard(data):
	return source_dashboard(data, "Sales Order")


@frappe.whitelist()
def is_repair_order(sales_order: str) -> bool:
	"""Whether the Sales Order is a repair order by the settings' rule (the form offers recommendations
	only on those)."""
	from auto_service_crm.clients import repair_order_filters_from_settings

	frappe.has_permission("Sales Order", "read", sales_order, throw=True)
	return bool(
		frappe.db.exists("Sales Order", {"name": sales_order, **repair_order_filters_from_settings()})
	)
