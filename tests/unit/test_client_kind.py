import pytest

from auto_service_crm.rules.client_kind import ClientKind, decide_client_kind, repair_order_filters


@pytest.mark.parametrize(
	("customer", "sales", "orders", "expected"),
	[
		(None, 0, 0, ClientKind.PRIMARY),
		(None, 3, 2, ClientKind.PRIMARY),  # not identified: facts of nobody
		("CUST-1", 0, 0, ClientKind.PRIMARY),
		("CUST-1", 1, 0, ClientKind.REPEAT),
		("CUST-1", 0, 1, ClientKind.REPEAT),
		("CUST-1", 2, 5, ClientKind.REPEAT),
	],
)
def test_primary_or_repeat(customer, sales, orders, expected):
	assert decide_client_kind(customer, sales, orders) == expected


def test_kind_is_the_select_option_of_the_appeal():
	assert [k.value for k in ClientKind] == ["Primary", "Repeat"]


def test_repair_orders_by_checkbox_or_order_type():
	assert repair_order_filters("Is Repair Order Checked", None) == {"is_repair_order": 1}
	assert repair_order_filters(None, None) == {"is_repair_order": 1}
	assert repair_order_filters("Order Type", "Maintenance") == {"order_type": "Maintenance"}
	with pytest.raises(ValueError):
		repair_order_filters("Order Type", "")
