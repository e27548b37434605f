# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

"""Maintenance invitations of a period (this month by default): the cars due in it, those invited
and those booked, with the share of invitations that became bookings; the cars without an estimate
are listed with the reason (no mileage readings, not enough readings).

A row per invitation whose due date or creation falls in the period, a row per car due in the
period and not invited (yet), and a row per car without an estimate. An invitation is booked when
its appeal handed off to a Service Request, or a repair request for the car came after it and was
not refused.
"""

import frappe
from frappe import _
from frappe.utils import get_first_day, get_last_day, getdate, nowdate

from auto_service_crm.maintenance.invitations import booking_of, outlooks, reason_label
from auto_service_crm.rules import maintenance as rules

BOOKED, INVITED, DUE, NO_ESTIMATE = "Booked", "Invited", "Due for Service", "No Estimate"


def execute(filters=None):
	filters = frappe._dict(filters or {})
	from_date = getdate(filters.from_date or get_first_day(nowdate()))
	to_date = getdate(filters.to_date or get_last_day(nowdate()))
	data = rows(from_date, to_date)
	return columns(), data, None, None, summary(data)


def columns() -> list[dict]:
	return [
		{
			"fieldname": "vehicle",
			"label": _("Vehicle"),
			"fieldtype": "Link",
			"options": "Customer Vehicle",
			"width": 120,
		},
		{"fieldname": "vehicle_title", "label": _("Car"), "fieldtype": "Data", "width": 180},
		{
			"fieldname": "customer",
			"label": _("Customer"),
			"fieldtype": "Link",
			"options": "Customer",
			"width": 160,
		},
		{"fieldname": "state", "label": _("Status"), "fieldtype": "Data", "width": 110},
		{"fieldname": "reason", "label": _("Reason"), "fieldtype": "Data", "width": 260},
		{"fieldname": "due_date", "label": _("Due Date"), "fieldtype": "Date", "width": 110},
		{"fieldname": "due_mileage", "label": _("Due Mileage (km)"), "fieldtype": "Int", "width": 120},
		{
			"fieldname": "km_per_day",
			"label": _("Kilometres a Day"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 110,
		},
		{"fieldname": "last_service_date", "label": _("Last Service"), "fieldtype": "Date", "width": 110},
		{
			"fieldname": "invitation",
			"label": _("Maintenance Invitation"),
			"fieldtype": "Link",
			"options": "Maintenance Invitation",
			"width": 140,
		},
		{"fieldname": "appeal", "label": _("Appeal"), "fieldtype": "Link", "options": "Appeal", "width": 140},
		{
			"fieldname": "service_request",
			"label": _("Booked In"),
			"fieldtype": "Link",
			"options": "Service Request",
			"width": 140,
		},
	]


def rows(from_date, to_date) -> list[dict]:
	invitation = frappe.qb.DocType("Maintenance Invitation")
	invitations = (
		frappe.qb.from_(invitation)
		.select("*")
		.where(
			invitation.due_date[from_date:to_date]
			| (invitation.creation >= from_date) & (invitation.creation < frappe.utils.add_days(to_date, 1))
		)
		.orderby(invitation.due_date)
		.run(as_dict=True)
	)
	invited_cars = set()
	out = []
	for inv in invitations:
		request = inv.service_request or booking_of(inv)
		if not inv.recommendation:
			invited_cars.add(inv.vehicle)
		out.append(
			{
				"vehicle": inv.vehicle,
				"vehicle_title": inv.vehicle_title,
				"customer": inv.customer,
				"state": _(BOOKED) if request else _(INVITED),
				"booked": int(bool(request)),
				"invited": 1,
				"reason": inv.reason,
				"due_date": inv.due_date,
				"due_mileage": inv.due_mileage,
				"km_per_day": inv.km_per_day,
				"last_service_date": inv.last_service_date,
				"invitation": inv.name,
				"appeal": inv.appeal,
				"service_request": request,
			}
		)
	for car in outlooks():
		base = {
			"vehicle": car.vehicle,
			"vehicle_title": car.title,
			"customer": car.customer,
			"km_per_day": car.estimate.km_per_day,
			"last_service_date": car.last_service,
			"due_date": car.due.due_date,
			"due_mileage": car.due.due_mileage,
			"invited": 0,
			"booked": 0,
		}
		if car.due.due_date is None:
			out.append({**base, "state": _(NO_ESTIMATE), "reason": reason_label(car.due.reason)})
		elif from_date <= car.due.due_date <= to_date and car.vehicle not in invited_cars:
			code = rules.BOOKED if car.booked else rules.DUE
			out.append({**base, "state": _(DUE), "reason": reason_label(code), "booked": int(car.booked)})
	return out


def summary(data: list[dict]) -> list[dict]:
	due = len({row["vehicle"] for row in data if row["due_date"]})
	invited = sum(row["invited"] for row in data)
	booked = sum(row["booked"] for row in data if row["invited"])
	without = len({row["vehicle"] for row in data if not row["due_date"]})
	return [
		{"label": _("Cars Due"), "value": due, "datatype": "Int", "indicator": "Blue"},
		{"label": _("Invited"), "value": invited, "datatype": "Int", "indicator": "Orange"},
		{"label": _("Booked"), "value": booked, "datatype": "Int", "indicator": "Green"},
		{
			"label": _("Invitations Booked (%)"),
			"value": rules.conversion(invited, booked),
			"datatype": "Percent",
			"indicator": "Green",
		},
		{"label": _("Cars Without an Estimate"), "value": without, "datatype": "Int", "indicator": "Red"},
	]
