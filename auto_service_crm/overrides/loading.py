"""A document filled from a copy of its stored values, as ``Document.load_from_db`` fills it."""

from frappe.model.base_document import BaseDocument


def load_from_values(doc, values: dict):
	"""Fill ``doc`` from ``values`` (its fields and its tables' rows as dicts, as ``as_dict`` gives
	them), as Frappe's ``load_from_db`` fills it from the database: the tables set after the fields,
	and ``__setup__`` run again at the end."""
	values = dict(values)
	tables = [df.fieldname for df in doc._get_table_fields()]
	children = {fieldname: values.pop(fieldname, None) or [] for fieldname in tables}
	doc.flags.ignore_children = True
	BaseDocument.__init__(doc, values)
	doc.flags.pop("ignore_children", None)
	for fieldname, rows in children.items():
		doc.set(fieldname, rows)
	if hasattr(doc, "__setup__"):
		doc.__setup__()
	return doc
