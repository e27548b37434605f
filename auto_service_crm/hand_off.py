"""The hand-off of an appeal into the «service station appeal» process (Service Request), with
ERPNext's own documents: Customer and Contact, Appointment, Sales Order with Stock Reservation
Entries, ToDo for callbacks and redirects."""

import frappe
from frappe import _
from frappe.desk.form.assign_to import add as add_assignment
from frappe.utils import add_days, get_datetime, getdate, nowdate

from auto_service_crm.rules.vehicles import KnownVehicle, matching_vehicle
from auto_service_crm.settings import get_settings


def ensure_customer(appeal) -> str:
	"""The appeal's customer; a client who is not in ERPNext yet becomes a Customer with a Contact."""
	if appeal.customer:
		return appeal.customer
	name = (appeal.client_name or "").strip()
	if not name:
		frappe.throw(_("Enter the client's name to hand the appeal off"), title=_("Client Name Required"))
	customer = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": name,
			"customer_type": "Individual",
			"customer_group": frappe.db.get_single_value("Selling Settings", "customer_group")
			or frappe.db.get_value("Customer Group", {"is_group": 0}, "name"),
			"territory": frappe.db.get_single_value("Selling Settings", "territory")
			or frappe.db.get_value("Territory", {"is_group": 0}, "name"),
		}
	).insert()
	if appeal.phone or appeal.email:
		contact = frappe.get_doc({"doctype": "Contact", "first_name": name})
		if appeal.phone:
			contact.append(
				"phone_nos", {"phone": appeal.phone, "is_primary_phone": 1, "is_primary_mobile_no": 1}
			)
		if appeal.email:
			contact.append("email_ids", {"email_id": appeal.email, "is_primary": 1})
		contact.append("links", {"link_doctype": "Customer", "link_name": customer.name})
		contact.insert()
		appeal.contact = contact.name
	appeal.customer = customer.name
	return customer.name


def client_vehicles(customer: str) -> list[KnownVehicle]:
	"""The customer's cars, oldest first."""
	return [
		KnownVehicle(**row)
		for row in frappe.get_all(
			"Customer Vehicle",
			filters={"customer": customer},
			fields=["name", "vehicle_model", "year", "license_plate", "vin"],
			order_by="creation asc",
		)
	]


def ensure_vehicle(appeal, customer: str) -> str | None:
	"""The car the client named on the phone (model and year) as the appeal's vehicle: one of the
	client's cars that matches (``rules.vehicles.matching_vehicle``), or a new Customer Vehicle of
	theirs; the mileage becomes its reading afterwards (``record_mileage``)."""
	if appeal.vehicle or not appeal.vehicle_model:
		return appeal.vehicle
	vehicle = matching_vehicle(client_vehicles(customer), appeal.vehicle_model, appeal.vehicle_year)
	if not vehicle:
		vehicle = (
			frappe.get_doc(
				{
					"doctype": "Customer Vehicle",
					"customer": customer,
					"vehicle_model": appeal.vehicle_model,
					"year": appeal.vehicle_year,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	appeal.vehicle = vehicle
	return vehicle


def hand_off(appeal, plan) -> None:
	customer = ensure_customer(appeal)
	ensure_vehicle(appeal, customer)
	request = frappe.get_doc(
		{
			"doctype": "Service Request",
			"kind": plan.service_request_kind,
			"customer": customer,
			"contact": appeal.contact,
			"client_name": appeal.client_name,
			"phone": appeal.phone,
			"email": appeal.email,
			"vehicle": appeal.vehicle,
			"mileage": appeal.mileage,
			"booking_time": appeal.booking_time,
			"callback_at": appeal.callback_at,
			"description": appeal.client_comment,
			"source_appeal": appeal.name,
			"work_types": [{"work_type": row.work_type} for row in appeal.work_types],
			"items": [
				{field: row.get(field) for field in ("item_code", "qty", "uom", "warehouse", "rate")}
				for row in appeal.items
			],
		}
	).insert()
	if plan.service_request_status and request.status != plan.service_request_status:
		request.status = plan.service_request_status  # through the Workflow's transitions, if one is active
		request.save()
	if plan.create_appointment:
		request.db_set("appointment", make_appointment(request))
	if plan.reserve_stock:
		request.db_set("sales_order", reserve_parts(request))
	if plan.record_sale:
		link_sale(request, appeal.sales_order)
	if plan.todo_due:
		assign(
			request,
			frappe.session.user,
			plan.todo_due,
			_("Call the client back about {0}").format(request.name),
		)
	appeal.service_request = request.name


def continue_service_request(appeal, plan) -> None:
	request = frappe.get_doc("Service Request", plan.continue_service_request)
	if plan.service_request_status or request.closed_on:
		from auto_service_crm.status import default_status

		request.status = plan.service_request_status or default_status("Service Request Status")
		request.save()
	request.add_comment(
		"Info",
		_("Continued by appeal {0}: {1}").format(
			appeal.name, appeal.client_comment or appeal.automatic_reason or ""
		),
	)
	owner = request.owner if request.owner not in ("Administrator", "Guest") else None
	if owner:
		assign(request, owner, None, _("The client came back with appeal {0}").format(appeal.name))
	appeal.service_request = request.name


def redirect(appeal, plan) -> None:
	message = _("Call the client back") if plan.todo_due else _("Take the client's appeal")
	assign(appeal, plan.assign_to, plan.todo_due, f"{message}: {appeal.client_name or appeal.phone or ''}")


def assign(doc, user: str, due, description: str) -> None:
	"""A ToDo for ``user`` on ``doc`` (Frappe's assignment), due on the callback's date."""
	add_assignment(
		{
			"doctype": doc.doctype,
			"name": doc.name,
			"assign_to": [user],
			"date": getdate(due) if due else None,
			"description": f"{description} ({get_datetime(due).strftime('%Y-%m-%d %H:%M')})"
			if due
			else description,
		}
	)


def make_appointment(request) -> str:
	"""The booking on the shop's calendar: an ERPNext Appointment (it creates the calendar Event)."""
	appointment = frappe.get_doc(
		{
			"doctype": "Appointment",
			"scheduled_time": request.booking_time,
			"status": "Open",
			"customer_name": request.client_name,
			"customer_phone_number": request.phone,
			"customer_email": request.email,
			"customer_details": request.description,
			"appointment_with": "Customer",
			"party": request.customer,
		}
	).insert(ignore_permissions=True)
	return appointment.name


def reserve_parts(request) -> str:
	"""A submitted Sales Order for the parts with ERPNext's Stock Reservation Entries for all of them."""
	if not frappe.db.get_single_value("Stock Settings", "enable_stock_reservation"):
		frappe.throw(
			_("Stock reservation is off: enable it in Stock Settings to reserve parts"),
			title=_("Cannot Reserve"),
		)
	company = request.company or get_settings().default_company
	default_warehouse = frappe.db.get_single_value("Stock Settings", "default_warehouse")
	order = frappe.get_doc(
		{
			"doctype": "Sales Order",
			"customer": request.customer,
			"company": company,
			"service_request": request.name,
			"delivery_date": getdate(request.booking_time)
			if request.booking_time
			else add_days(nowdate(), 1),
			"reserve_stock": 1,
			"items": [
				{
					"item_code": row.item_code,
					"qty": row.qty,
					"uom": row.uom,
					"warehouse": row.warehouse or default_warehouse,
					"reserve_stock": 1,
					**({"rate": row.rate} if row.rate else {}),
				}
				for row in request.items
			],
		}
	).insert()
	order.submit()
	reserved = dict(
		frappe.get_all(
			"Stock Reservation Entry",
			filters={"voucher_type": "Sales Order", "voucher_no": order.name, "docstatus": 1},
			fields=["voucher_detail_no", "sum(reserved_qty) as qty"],
			group_by="voucher_detail_no",
			as_list=True,
		)
	)
	short = [row.item_code for row in order.items if (reserved.get(row.name) or 0) < row.stock_qty]
	if short:
		frappe.throw(
			_("Not enough stock to reserve: {0}").format(", ".join(short)), title=_("Cannot Reserve")
		)
	return order.name


def link_sale(request, sales_order: str) -> None:
	customer, docstatus = frappe.db.get_value("Sales Order", sales_order, ["customer", "docstatus"])
	if customer != request.customer:
		frappe.throw(_("Sales Order {0} is another customer's").format(sales_order), title=_("Wrong Sale"))
	if docstatus != 1:
		frappe.throw(_("Sales Order {0} is not submitted").format(sales_order), title=_("Wrong Sale"))
	request.db_set("sales_order", sales_order)
	frappe.db.set_value("Sales Order", sales_order, "service_request", request.name)


def record_mileage(appeal) -> None:
	"""The mileage the client gave becomes a reading of the car (the app invites to maintenance by it)."""
	if not (appeal.vehicle and appeal.mileage):
		return
	vehicle = frappe.get_doc("Customer Vehicle", appeal.vehicle)
	if vehicle.current_mileage and appeal.mileage <= vehicle.current_mileage:
		return
	vehicle.append(
		"mileage_readings", {"reading_date": nowdate(), "mileage": appeal.mileage, "appeal": appeal.name}
	)
	vehicle.save(ignore_permissions=True)
