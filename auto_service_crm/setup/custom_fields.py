"""Fields the app adds to ERPNext's own DocTypes, created on install and removed on uninstall."""

# Properties of ERPNext's fields the app changes: (doctype, fieldname, property, value, type).
PROPERTY_SETTERS = (
	# A client booked by phone often has no email: ERPNext's Appointment must not require one.
	("Appointment", "customer_email", "reqd", "0", "Check"),
)


def get_custom_fields() -> dict[str, list[dict]]:
	return {
		"User": [
			{
				"fieldname": "asc_phone_line",
				"fieldtype": "Data",
				"label": "PBX Line",
				"insert_after": "mobile_no",
				"search_index": 1,
				"description": "The extension, SIP login or number the station's PBX rings this user on.",
			},
			{
				"fieldname": "asc_open_appeal_on_answer",
				"fieldtype": "Check",
				"label": "Open the Appeal When I Answer a Call",
				"insert_after": "asc_phone_line",
				"default": "1",
			},
		],
		"Contact Phone": [
			{
				"fieldname": "phone_normalized",
				"fieldtype": "Data",
				"label": "Normalized Phone",
				"insert_after": "phone",
				"read_only": 1,
				"search_index": 1,
				"description": "The number in E.164, for finding the client of a call.",
			},
		],
		"Sales Order": [
			{
				"fieldname": "is_repair_order",
				"fieldtype": "Check",
				"label": "Is Repair Order",
				"insert_after": "order_type",
				"description": "A repair order (заказ-наряд) of the service station.",
			},
			{
				"fieldname": "customer_vehicle",
				"fieldtype": "Link",
				"label": "Customer Vehicle",
				"options": "Customer Vehicle",
				"insert_after": "is_repair_order",
			},
			{
				"fieldname": "service_request",
				"fieldtype": "Link",
				"label": "Service Request",
				"options": "Service Request",
				"insert_after": "customer_vehicle",
				"read_only": 1,
				"no_copy": 1,
				"search_index": 1,
			},
		],
	}
