"""Who is calling: the client found through Contact phone numbers (Contact → Customer), the
ad channel from the number dialled or the form's UTM source, and the search for a client who
called from a new number."""

import frappe
from frappe import _

from auto_service_crm.caching import configuration, forget
from auto_service_crm.rules.vehicles import normalize_plate
from auto_service_crm.settings import normalized_phone

IDENTIFIED = "Identified"
SEVERAL = "Several Matches"
NOT_FOUND = "Not Found"


def set_contact_phones_normalized(contact, method=None) -> None:
	"""Contact.validate: keep the E.164 form of every phone of the contact, for lookups."""
	for row in contact.phone_nos:
		row.phone_normalized = normalized_phone(row.phone)


def clients_with_phone(phone_normalized: str) -> list[dict]:
	"""Customers (with the contact that has the number), through Contact Phone → Contact → Customer."""
	if not phone_normalized:
		return []
	phone = frappe.qb.DocType("Contact Phone")
	link = frappe.qb.DocType("Dynamic Link")
	customer = frappe.qb.DocType("Customer")
	rows = (
		frappe.qb.from_(phone)
		.join(link)
		.on(
			(link.parent == phone.parent) & (link.parenttype == "Contact") & (link.link_doctype == "Customer")
		)
		.join(customer)
		.on(customer.name == link.link_name)
		.select(customer.name.as_("customer"), customer.customer_name, phone.parent.as_("contact"))
		.where(phone.phone_normalized == phone_normalized)
		.where(phone.parenttype == "Contact")
		.where(customer.disabled == 0)
		.distinct()
		.run(as_dict=True)
	)
	return rows


def identify(appeal) -> None:
	"""Set the customer when exactly one has the number; several leave the choice to the operator."""
	if appeal.customer:
		appeal.identification = IDENTIFIED
		return
	matches = clients_with_phone(appeal.phone_normalized)
	customers = {m.customer for m in matches}
	if len(customers) == 1:
		appeal.customer, appeal.contact = matches[0].customer, matches[0].contact
		appeal.identification = IDENTIFIED
	elif customers:
		appeal.identification = SEVERAL
	else:
		# a number of no known form (a SIP address, digits of no plan) identifies nobody either
		appeal.identification = NOT_FOUND if appeal.phone else None


def ad_channel_for(dialled_number: str | None = None, utm_source: str | None = None) -> str | None:
	"""The ad channel of a tracked number the client dialled, else of the form's UTM source."""
	dialled = normalized_phone(dialled_number)
	channel = dialled and tracked_numbers().get(dialled)
	if not channel and utm_source:
		channel = utm_sources().get(utm_source.strip().casefold())
	return channel or None


@configuration
def tracked_numbers() -> dict[str, str]:
	"""{number in E.164: its ad channel}, of the enabled ad channels."""
	return dict(
		frappe.db.sql(
			"""SELECT number.phone_normalized, channel.name FROM `tabAd Channel Phone Number` number
			JOIN `tabAd Channel` channel ON channel.name = number.parent
			WHERE number.parenttype = 'Ad Channel' AND channel.enabled = 1
			AND IFNULL(number.phone_normalized, '') != ''
			ORDER BY number.modified"""  # the latest changed of two with one number wins
		)
	)


@configuration
def utm_sources() -> dict[str, str]:
	"""{UTM source, in any case as the database compares it: its ad channel}, of the enabled ones."""
	rows = frappe.get_all(
		"Ad Channel",
		filters={"enabled": 1, "utm_source": ["is", "set"]},
		fields=["utm_source", "name"],
		order_by="modified asc",  # the latest changed of two with one source wins
		as_list=True,
	)
	return {source.strip().casefold(): name for source, name in rows}


def forget_ad_channels() -> None:
	"""An ad channel saved or deleted: its numbers and sources are read again."""
	forget(tracked_numbers, utm_sources)


@frappe.whitelist()
def client_matches(phone: str) -> list[dict]:
	"""The customers whose contacts have this phone, for the operator to choose from."""
	frappe.has_permission("Customer", "read", throw=True)
	return clients_with_phone(normalized_phone(phone))


@frappe.whitelist()
def search_clients(text: str, limit: int = 20) -> list[dict]:
	"""Find a client by name, phone, license plate or VIN (a client calling from a new number)."""
	frappe.has_permission("Customer", "read", throw=True)
	text = (text or "").strip()
	if len(text) < 2:
		frappe.throw(_("Type at least two characters to search"), title=_("Search Too Short"))
	limit = min(int(limit), 100)
	found: dict[str, dict] = {}

	def add(customer: str, customer_name: str, matched_by: str) -> None:
		found.setdefault(customer, {"customer": customer, "customer_name": customer_name, "matched_by": []})
		found[customer]["matched_by"].append(matched_by)

	for row in clients_with_phone(normalized_phone(text)):
		add(row.customer, row.customer_name, "phone")
	for row in frappe.get_all(
		"Customer Vehicle",
		or_filters=[
			["license_plate", "=", normalize_plate(text)],
			["vin", "=", text.upper().replace(" ", "")],
		],
		fields=["customer", "customer_name"],
		limit=limit,
	):
		add(row.customer, row.customer_name, "vehicle")
	for row in frappe.get_list(
		"Customer",
		filters={"customer_name": ["like", f"%{text}%"], "disabled": 0},
		fields=["name", "customer_name"],
		limit=limit,
	):
		add(row.name, row.customer_name, "name")
	return list(found.values())[:limit]


@frappe.whitelist()
def save_phone_to_customer(appeal: str) -> str:
	"""«Save this phone to the customer»: the appeal's number goes on the customer's contact."""
	doc = frappe.get_doc("Appeal", appeal)
	doc.check_permission("write")
	if not (doc.customer and doc.phone):
		frappe.throw(_("The appeal needs a customer and a phone"), title=_("Nothing to Save"))
	contact = frappe.get_doc("Contact", doc.contact) if doc.contact else None
	if contact is None:
		contact = frappe.get_doc({"doctype": "Contact", "first_name": doc.client_name or doc.customer})
		contact.append("links", {"link_doctype": "Customer", "link_name": doc.customer})
	if not any(normalized_phone(row.phone) == doc.phone_normalized for row in contact.phone_nos):
		contact.append("phone_nos", {"phone": doc.phone, "is_primary_mobile_no": not contact.phone_nos})
	contact.save() if not contact.is_new() else contact.insert()
	doc.contact = contact.name
	doc.identification = IDENTIFIED
	doc.save()
	return contact.name


def backfill_contact_phones() -> int:
	"""Store the normalized form of contact phones saved before the app (install and patch)."""
	phone = frappe.qb.DocType("Contact Phone")
	rows = (
		frappe.qb.from_(phone)
		.select(phone.name, phone.phone)
		.where(phone.parenttype == "Contact")
		.where(phone.phone.isnotnull())
		.where(phone.phone_normalized.isnull())
		.run(as_dict=True)
	)
	for row in rows:
		normalized = normalized_phone(row.phone)
		if normalized:
			frappe.db.set_value(
				"Contact Phone", row.name, "phone_normalized", normalized, update_modified=False
			)
	return len(rows)


@frappe.whitelist()
def create_client_with_car(
	appeal: str,
	client_name: str,
	vehicle_model: str | None = None,
	year: int | None = None,
	license_plate: str | None = None,
	vin: str | None = None,
) -> dict:
	"""A client who never came before (seed 002): the Customer with a Contact for the appeal's
	phone and email, the car, and the appeal linked to both — one step for the operator."""
	from auto_service_crm.hand_off import ensure_customer

	doc = frappe.get_doc("Appeal", appeal)
	doc.check_permission("write")
	frappe.has_permission("Customer", "create", throw=True)
	if doc.customer:
		frappe.throw(_("The appeal already has a customer"), title=_("Client Known"))
	doc.client_name = (client_name or "").strip()
	customer = ensure_customer(doc)
	vehicle = None
	if vehicle_model or license_plate or vin:
		vehicle = frappe.get_doc(
			{
				"doctype": "Customer Vehicle",
				"customer": customer,
				"vehicle_model": vehicle_model,
				"year": year,
				"license_plate": license_plate,
				"vin": vin,
			}
		).insert()
		doc.vehicle = vehicle.name
	doc.save()
	return {"customer": customer, "contact": doc.contact, "vehicle": vehicle and vehicle.name}
