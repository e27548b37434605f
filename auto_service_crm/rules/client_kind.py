"""Primary or repeat client (seed 002, «Признак Первичный/Повторный»).

Repeat: the customer has a submitted sale or a completed repair order (history imported
from other systems counts as well, since it is recorded the same way). Primary otherwise,
including every client who is not identified.
"""

from enum import StrEnum


class ClientKind(StrEnum):
	PRIMARY = "Primary"
	REPEAT = "Repeat"


def decide_client_kind(
	customer: str | None, submitted_sales: int = 0, completed_repair_orders: int = 0
) -> ClientKind:
	if not customer:
		return ClientKind.PRIMARY
	if submitted_sales > 0 or completed_repair_orders > 0:
		return ClientKind.REPEAT
	return ClientKind.PRIMARY


REPAIR_ORDER_CHECKBOX = "Is Repair Order Checked"
REPAIR_ORDER_TYPE = "Order Type"
CLOSED_ORDER_STATUSES = ("Completed", "Closed")


def repair_order_filters(rule: str | None, order_type: str | None) -> dict:
	"""Which Sales Orders are repair orders, as filters on Sales Order (settings decide)."""
	if rule == REPAIR_ORDER_TYPE:
		if not order_type:
			raise ValueError("repair orders by order type need the order type")
		return {"order_type": order_type}
	return {"is_repair_order": 1}
