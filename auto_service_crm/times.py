"""Times the app stores: whole seconds, as the desk shows and edits them.

A Datetime with microseconds (Frappe's "now" default) is rounded by the desk's datetime control
when a form loads, which marks the form as changed ("Not Saved") without anyone touching it.
"""

from frappe.utils import get_datetime, now_datetime


def whole_seconds(value):
	return get_datetime(value).replace(microsecond=0) if value else value


def now_in_seconds():
	return now_datetime().replace(microsecond=0)


def round_datetimes(doc) -> None:
	"""Every Datetime field of the document in whole seconds."""
	for field in doc.meta.get("fields", {"fieldtype": "Datetime"}):
		doc.set(field.fieldname, whole_seconds(doc.get(field.fieldname)))
