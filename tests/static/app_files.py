"""Reads the app's own files (DocType JSON, hooks, fixtures) without importing frappe."""

import ast
import json
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "auto_service_crm"
MODULE = "Auto Service CRM"
MODULE_DIR = APP / "auto_service_crm"

# DocTypes of Frappe and ERPNext v15 that the app links to; the integration tier checks that
# each exists on a real site.
HOST_DOCTYPES = {
	"Appointment",
	"Call Log",
	"Company",
	"Contact",
	"Customer",
	"DocType",
	"Email Template",
	"Holiday List",
	"Language",
	"Item",
	"Role",
	"Sales Invoice",
	"Sales Order",
	"UOM",
	"User",
	"Warehouse",
}

# Frappe v15's field types (frappe.model.data_fieldtypes + no_value_fields).
FIELD_TYPES = {
	"Autocomplete", "Attach", "Attach Image", "Barcode", "Button", "Check", "Code", "Color",
	"Column Break", "Currency", "Data", "Date", "Datetime", "Duration", "Dynamic Link", "Float",
	"Fold", "Geolocation", "Heading", "HTML", "HTML Editor", "Icon", "Image", "Int", "JSON",
	"Link", "Long Int", "Long Text", "Markdown Editor", "Password", "Percent", "Phone",
	"Read Only", "Rating", "Section Break", "Select", "Signature", "Small Text", "Tab Break",
	"Table", "Table MultiSelect", "Text", "Text Editor", "Time",
}  # fmt: skip
NO_VALUE_TYPES = {"Section Break", "Column Break", "Tab Break", "HTML", "Button", "Image", "Fold", "Heading"}
STANDARD_ROLES = {"System Manager", "Administrator", "All", "Guest"}


def scrub(name: str) -> str:
	return name.lower().replace(" ", "_").replace("-", "_")


@cache
def doctypes() -> dict[str, dict]:
	"""Every DocType of the app, by name."""
	out = {}
	for path in sorted(MODULE_DIR.glob("doctype/*/*.json")):
		if path.stem != path.parent.name:
			continue
		data = json.loads(path.read_text(encoding="utf-8"))
		data["__path__"] = path
		out[data["name"]] = data
	return out


@cache
def hooks() -> dict[str, object]:
	"""hooks.py's top-level assignments, evaluated as literals."""
	tree = ast.parse((APP / "hooks.py").read_text(encoding="utf-8"))
	out = {}
	for node in tree.body:
		if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
			out[node.targets[0].id] = ast.literal_eval(node.value)
	return out


def functions_in(module_file: Path) -> set[str]:
	tree = ast.parse(module_file.read_text(encoding="utf-8"))
	names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
	names |= {
		t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)
	}
	names |= {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
	return names


def resolve_dotted_path(dotted: str) -> tuple[Path | None, str]:
	"""For 'auto_service_crm.a.b.func': the file of module auto_service_crm.a.b and 'func'."""
	module, _, attr = dotted.rpartition(".")
	parts = module.split(".")
	if parts[0] != "auto_service_crm":
		return None, attr
	base = ROOT.joinpath(*parts)
	for candidate in (base.with_suffix(".py"), base / "__init__.py"):
		if candidate.exists():
			return candidate, attr
	return None, attr


def iter_hook_paths(value):
	"""Every dotted path string inside a hook value (strings, lists, dicts of them)."""
	if isinstance(value, str):
		if value.startswith("auto_service_crm."):
			yield value
	elif isinstance(value, list | tuple):
		for item in value:
			yield from iter_hook_paths(item)
	elif isinstance(value, dict):
		for item in value.values():
			yield from iter_hook_paths(item)
