"""The daily maintenance invitations (seed 002: the mileage is asked every time so that the station
can invite the client to maintenance).

Each day, for every client's car: its daily mileage from its readings, its last service (the date
of its latest completed repair Service Request, else its first reading) and the date its next
service is due (the Vehicle Model's intervals, else the settings' defaults;
``auto_service_crm.rules.maintenance``). When that date is at most *Invite Days Before the Service*
away, or an open Service Recommendation of the car is due within as many days, the car gets one
outgoing appeal of the channel «Maintenance Invitation» for the operators (the car, the client, the
reason in the client comment, the category «Maintenance Invitation» and its call script; routed
like every new appeal) and a **Maintenance Invitation** per reason. That record's key (the car
and its last service, or the car and the recommendation) makes it once per due service, however
often the job runs. A car whose owner has booked (an open repair request, or one made after the
last service and not refused) is skipped. The invitation is marked *Invited by Email* / *by SMS* as
the settings say, and its Notifications tell the client.
"""

from dataclasses import dataclass, field
from datetime import date

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from auto_service_crm.maintenance.setup import CATEGORY, CHANNEL
from auto_service_crm.rules import maintenance as rules

REPAIR = "Repair"

# what the report and the comment say for each code of the rules
REASONS = {
	rules.NO_READINGS: "no mileage readings",
	rules.NOT_ENOUGH_READINGS: "not enough readings",
	rules.NO_INTERVAL: "no service interval",
	rules.NOT_DUE_YET: "not due yet",
	rules.ALREADY_INVITED: "already invited",
	rules.BOOKED: "booked",
	rules.DUE: "due",
}


def reason_label(code: str | None) -> str:
	"""The reason of a code of the rules, in the reader's language."""
	return _(REASONS[code]) if code in REASONS else (code or "")


@dataclass
class Outlook:
	"""What the app knows of one car's next service."""

	vehicle: str
	customer: str | None
	customer_name: str | None
	title: str | None
	vehicle_model: str | None
	estimate: rules.Estimate
	last_service: date | None
	due: rules.Due
	booked: bool
	requests: list = field(default_factory=list)


def settings() -> frappe._dict:
	values = frappe.db.get_singles_dict("Auto Service Settings", cast=True)
	return frappe._dict(values)


def outlooks(vehicles: list[str] | None = None) -> list[Outlook]:
	"""The outlook of every client's car (or of ``vehicles``), from a few queries."""
	conf = settings()
	filters = {"name": ["in", vehicles]} if vehicles is not None else {}
	cars = frappe.get_all(
		"Customer Vehicle",
		filters=filters,
		fields=["name", "customer", "customer_name", "title", "vehicle_model"],
		order_by="name asc",
	)
	names = [car.name for car in cars]
	if not names:
		return []
	readings: dict[str, list[rules.Reading]] = {}
	for row in frappe.get_all(
		"Vehicle Mileage Reading",
		filters={"parenttype": "Customer Vehicle", "parent": ["in", names]},
		fields=["parent", "reading_date", "mileage"],
	):
		readings.setdefault(row.parent, []).append(rules.Reading(getdate(row.reading_date), row.mileage))
	intervals = {
		row.name: row
		for row in frappe.get_all(
			"Vehicle Model", fields=["name", "service_interval_km", "service_interval_months"]
		)
	}
	categories = dict(frappe.get_all("Service Request Status", fields=["name", "category"], as_list=True))
	requests: dict[str, list] = {}
	for row in frappe.get_all(
		"Service Request",
		filters={"vehicle": ["in", names], "kind": REPAIR},
		fields=["name", "vehicle", "request_date", "closed_on", "status", "mileage", "creation"],
		order_by="request_date asc",
	):
		row.category = categories.get(row.status)
		requests.setdefault(row.vehicle, []).append(row)

	out = []
	for car in cars:
		car_readings = readings.get(car.name, [])
		estimate = rules.daily_mileage(car_readings, conf.min_mileage_readings, conf.min_reading_span_days)
		car_requests = requests.get(car.name, [])
		completed = [r for r in car_requests if r.category == "Completed"]
		last_service, last_mileage = None, None
		if completed:
			latest = max(completed, key=lambda r: getdate(r.closed_on or r.request_date))
			last_service = getdate(latest.closed_on or latest.request_date)
			last_mileage = latest.mileage or rules.mileage_on(car_readings, last_service)
		elif estimate.first:
			last_service, last_mileage = estimate.first.reading_date, estimate.first.mileage
		model = intervals.get(car.vehicle_model) or frappe._dict()
		if last_service is None:
			due = rules.Due(None, reason=estimate.reason)
		else:
			due = rules.next_service(
				last_service,
				last_mileage,
				model.service_interval_km or conf.default_service_interval_km,
				model.service_interval_months or conf.default_service_interval_months,
				estimate,
			)
		booked = last_service is not None and rules.booked_since(
			(rules.Request(getdate(r.request_date), r.category) for r in car_requests), last_service
		)
		out.append(
			Outlook(
				car.name,
				car.customer,
				car.customer_name,
				car.title,
				car.vehicle_model,
				estimate,
				last_service,
				due,
				booked,
				car_requests,
			)
		)
	return out


def service_key(outlook: Outlook) -> str:
	"""One invitation per car and service cycle: the cycle starts at the last service."""
	return f"{outlook.vehicle}:{outlook.last_service}"


def recommendation_key(vehicle: str, recommendation: str) -> str:
	return f"{vehicle}:{recommendation}"


def open_recommendations(vehicles: list[str]) -> dict[str, list]:
	"""The open Service Recommendations of the cars (none on a site without the DocType)."""
	if not vehicles or not frappe.db.table_exists("Service Recommendation"):
		return {}
	out: dict[str, list] = {}
	for row in frappe.get_all(
		"Service Recommendation",
		filters={"vehicle": ["in", vehicles], "status": "Open"},
		fields=["name", "vehicle", "description", "work_type", "due_date", "due_mileage"],
		order_by="creation asc",
	):
		out.setdefault(row.vehicle, []).append(row)
	return out


def make_invitations(today: date | str | None = None) -> list[str]:
	"""The daily job: invite every client whose car's service (or recommendation) is due; mark the
	invitations booked since. Returns the names of the appeals made. A car that fails is logged in
	the Error Log and the others go on."""
	today = getdate(today or nowdate())
	days = settings().invitation_days_before or 0
	mark_bookings()
	cars = outlooks()
	existing = set(frappe.get_all("Maintenance Invitation", pluck="invitation_key"))
	recommendations = open_recommendations([car.vehicle for car in cars])
	appeals = []
	for car in cars:
		if car.booked or not car.customer:
			continue
		reasons = []
		decision = rules.invitation_decision(
			car.due.due_date, today, days, service_key(car) in existing, car.booked
		)
		if decision == rules.DUE:
			reasons.append(
				(service_key(car), car.due.due_date, car.due.due_mileage, None, service_reason(car))
			)
		for rec in recommendations.get(car.vehicle, []):
			due_date, _reason = rules.recommendation_due(
				getdate(rec.due_date) if rec.due_date else None, rec.due_mileage, car.estimate
			)
			key = recommendation_key(car.vehicle, rec.name)
			if rules.invitation_decision(due_date, today, days, key in existing, False) == rules.DUE:
				reasons.append((key, due_date, rec.due_mileage, rec.name, recommendation_reason(rec)))
		if not reasons:
			continue
		frappe.db.savepoint("maintenance_invitation")
		try:
			appeals.append(invite(car, reasons))
		except Exception:
			frappe.db.rollback(save_point="maintenance_invitation")
			frappe.log_error(title=_("Maintenance invitation of {0} failed").format(car.vehicle))
	return appeals


def service_reason(car: Outlook) -> str:
	by = _("by the mileage") if car.due.by == rules.BY_KM else _("by the months since the last service")
	text = _("Maintenance due on {0} ({1})").format(frappe.format(car.due.due_date, "Date"), by)
	if car.due.due_mileage:
		text += "; " + _("at {0} km").format(car.due.due_mileage)
	return text


def recommendation_reason(rec) -> str:
	return _("Recommended: {0}").format(rec.description or rec.work_type or rec.name)


def client_contact(customer: str) -> frappe._dict:
	"""The customer's primary contact with its mobile and email, else their first linked contact."""
	row = frappe.db.get_value(
		"Customer", customer, ["customer_primary_contact", "mobile_no", "email_id"], as_dict=True
	)
	contact = row.customer_primary_contact
	if not contact:
		contact = frappe.db.get_value(
			"Dynamic Link",
			{"parenttype": "Contact", "link_doctype": "Customer", "link_name": customer},
			"parent",
			order_by="creation asc",
		)
	phone, email = row.mobile_no, row.email_id
	if contact and not (phone and email):
		values = frappe.db.get_value("Contact", contact, ["mobile_no", "phone", "email_id"], as_dict=True)
		phone = phone or values.mobile_no or values.phone
		email = email or values.email_id
	return frappe._dict(contact=contact, phone=phone, email=email)


def appeal_notifications_but_the_clients() -> list[dict]:
	"""The enabled Notifications of an appeal without those that tell the client an appeal of theirs
	is registered (sent to the appeal's email or phone on New): an invitation is the station's
	appeal, not the client's. Frappe runs the ones it is given in ``flags.notifications``."""
	notifications = frappe.get_all(
		"Notification",
		filters={"enabled": 1, "document_type": "Appeal"},
		fields=["name", "event", "method"],
	)
	to_client = set(
		frappe.get_all(
			"Notification Recipient",
			filters={
				"parenttype": "Notification",
				"parent": ["in", [n.name for n in notifications if n.event == "New"] or [""]],
				"receiver_by_document_field": ["in", ["email", "phone", "contact", "customer"]],
			},
			pluck="parent",
		)
	)
	return [n for n in notifications if n.name not in to_client]


def invite(car: Outlook, reasons: list[tuple]) -> str:
	"""One outgoing appeal for the car, one Maintenance Invitation per reason."""
	conf = settings()
	client = client_contact(car.customer)
	appeal = frappe.get_doc(
		{
			"doctype": "Appeal",
			"channel": CHANNEL,
			"category": CATEGORY if frappe.db.exists("Appeal Category", CATEGORY) else None,
			"customer": car.customer,
			"contact": client.contact,
			"phone": client.phone,
			"vehicle": car.vehicle,
			"vehicle_model": car.vehicle_model,
			"client_comment": "\n".join(reason for *_rest, reason in reasons),
		}
	)
	appeal.flags.phone_as_sent = True  # the number as the contact keeps it
	appeal.flags.notifications = appeal_notifications_but_the_clients()
	appeal.insert(ignore_permissions=True)
	sms_ready = bool(frappe.db.get_single_value("SMS Settings", "sms_gateway_url"))
	for key, due_date, due_mileage, recommendation, reason in reasons:
		frappe.get_doc(
			{
				"doctype": "Maintenance Invitation",
				"invitation_key": key,
				"status": "Invited",
				"customer": car.customer,
				"contact": client.contact,
				"phone": client.phone,
				"email": client.email,
				"vehicle": car.vehicle,
				"recommendation": recommendation,
				"due_date": due_date,
				"due_mileage": due_mileage,
				"last_service_date": car.last_service,
				"km_per_day": car.estimate.km_per_day,
				"reason": reason,
				"appeal": appeal.name,
				"sent_email": int(bool(conf.invite_by_email and client.email)),
				"sent_sms": int(bool(conf.invite_by_sms and client.phone and sms_ready)),
			}
		).insert(ignore_permissions=True)
	return appeal.name


def booking_of(invitation) -> str | None:
	"""The Service Request that booked an invitation: the one its appeal handed off to, else a
	repair request for the car made after the invitation and not refused."""
	if invitation.appeal:
		handed_off = frappe.db.get_value("Appeal", invitation.appeal, "service_request")
		if handed_off:
			return handed_off
	refused = frappe.get_all("Service Request Status", filters={"category": "Refused"}, pluck="name")
	filters = {
		"vehicle": invitation.vehicle,
		"kind": REPAIR,
		"creation": [">", invitation.creation],
	}
	if refused:
		filters["status"] = ["not in", refused]
	return frappe.db.get_value("Service Request", filters, "name", order_by="creation asc")


def mark_bookings() -> None:
	"""Invitations whose client has booked since become Booked, with the request."""
	for invitation in frappe.get_all(
		"Maintenance Invitation",
		filters={"status": "Invited"},
		fields=["name", "appeal", "vehicle", "creation"],
	):
		request = booking_of(invitation)
		if request:
			frappe.db.set_value(
				"Maintenance Invitation", invitation.name, {"status": "Booked", "service_request": request}
			)
