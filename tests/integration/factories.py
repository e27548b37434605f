"""Real documents for the integration tier, made through the document API."""

import frappe
from frappe.utils import add_days, nowdate


def make_user(*roles: str) -> str:
	email = f"asc-{frappe.generate_hash(length=8)}@example.com"
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": "Test " + (roles[0] if roles else "Nobody"),
			"send_welcome_email": 0,
			"user_type": "System User",
			"roles": [{"role": role} for role in roles],
		}
	).insert(ignore_permissions=True)
	return user.name


def leaf(doctype: str) -> str:
	return frappe.db.get_value(doctype, {"is_group": 0}, "name", order_by="creation asc")


def make_customer(name: str | None = None) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": name or f"Test Client {frappe.generate_hash(length=6)}",
				"customer_type": "Individual",
				"customer_group": leaf("Customer Group"),
				"territory": leaf("Territory"),
			}
		)
		.insert()
		.name
	)


def make_vehicle_model(make: str = "Lada", model: str = "Vesta") -> str:
	name = f"{make} {model}"
	if not frappe.db.exists("Vehicle Model", name):
		frappe.get_doc({"doctype": "Vehicle Model", "make": make, "model": model}).insert()
	return name


def company() -> str:
	return frappe.db.get_value("Company", {}, "name", order_by="creation asc")


def make_service_item(code: str = "ASC-OIL-CHANGE") -> str:
	if not frappe.db.exists("Item", code):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": code,
				"item_name": "Oil change",
				"item_group": leaf("Item Group"),
				"stock_uom": "Nos",
				"is_stock_item": 0,
			}
		).insert(ignore_permissions=True)
	return code


def make_sales_invoice(customer: str, rate: float = 1000) -> str:
	invoice = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"customer": customer,
			"company": company(),
			"items": [{"item_code": make_service_item(), "qty": 1, "rate": rate}],
		}
	).insert(ignore_permissions=True)
	invoice.submit()
	return invoice.name


def make_sales_order(customer: str, is_repair_order: int = 1) -> "frappe.model.document.Document":
	order = frappe.get_doc(
		{
			"doctype": "Sales Order",
			"customer": customer,
			"company": company(),
			"is_repair_order": is_repair_order,
			"delivery_date": add_days(nowdate(), 3),
			"items": [{"item_code": make_service_item(), "qty": 1, "rate": 2500}],
		}
	).insert(ignore_permissions=True)
	order.submit()
	return order


def warehouse() -> str:
	return frappe.db.get_value(
		"Warehouse", {"company": company(), "is_group": 0}, "name", order_by="creation asc"
	)


def make_stock_item(code: str, qty: float = 0) -> str:
	"""A stock item with ``qty`` received into the company's first warehouse."""
	if not frappe.db.exists("Item", code):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": code,
				"item_name": code,
				"item_group": leaf("Item Group"),
				"stock_uom": "Nos",
				"is_stock_item": 1,
			}
		).insert(ignore_permissions=True)
	if qty:
		receipt = frappe.get_doc(
			{
				"doctype": "Stock Entry",
				"stock_entry_type": "Material Receipt",
				"company": company(),
				"items": [{"item_code": code, "qty": qty, "t_warehouse": warehouse(), "basic_rate": 100}],
			}
		).insert(ignore_permissions=True)
		receipt.submit()
	return code


def make_appeal(**fields):
	return frappe.get_doc({"doctype": "Appeal", "channel": "Incoming Call", **fields}).insert()
