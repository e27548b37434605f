"""Facts about a client gathered from ERPNext, for the rules in auto_service_crm.rules."""

import frappe

from auto_service_crm.rules.client_kind import (
	CLOSED_ORDER_STATUSES,
	ClientKind,
	decide_client_kind,
	repair_order_filters,
)
from auto_service_crm.settings import get_settings


def repair_order_filters_from_settings() -> dict:
	settings = get_settings()
	return repair_order_filters(settings.repair_order_rule, settings.repair_order_type)


def get_client_kind(customer: str | None) -> ClientKind:
	if not customer:
		return decide_client_kind(None)
	submitted_sales = frappe.db.count("Sales Invoice", {"customer": customer, "docstatus": 1, "is_return": 0})
	completed_repair_orders = 0
	if not submitted_sales:
		completed_repair_orders = frappe.db.count(
			"Sales Order",
			{
				"customer": customer,
				"docstatus": 1,
				"status": ("in", CLOSED_ORDER_STATUSES),
				**repair_order_filters_from_settings(),
			},
		)
	return decide_client_kind(customer, submitted_sales, completed_repair_orders)
