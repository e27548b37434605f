"""Static checks of every DocType JSON of the app: what Frappe would refuse or silently break."""

import ast
import re

import pytest

from auto_service_crm.setup.defaults import ROLES
from tests.static.app_files import (
	FIELD_TYPES,
	HOST_DOCTYPES,
	MODULE,
	MODULE_DIR,
	NO_VALUE_TYPES,
	STANDARD_ROLES,
	doctypes,
	scrub,
)

DOCTYPES = doctypes()
# what every document has besides its fields, as Frappe's form scripts see it
DOCUMENT_PROPERTIES = {
	"__islocal",
	"__unsaved",
	"name",
	"docstatus",
	"owner",
	"creation",
	"modified",
	"doctype",
}
NAMES = sorted(DOCTYPES)


def test_the_module_has_its_doctypes():
	assert {
		"Appeal",
		"Appeal Category",
		"Appeal Result",
		"Appeal Status",
		"Appeal Channel",
		"Service Request",
		"Service Request Status",
		"Customer Vehicle",
		"Vehicle Model",
		"Ad Channel",
		"Work Type",
		"Auto Service Settings",
	} <= set(DOCTYPES)


@pytest.mark.parametrize("name", NAMES)
def test_doctype_sits_in_its_module_folder(name):
	dt = DOCTYPES[name]
	path = dt["__path__"]
	assert dt["doctype"] == "DocType"
	assert dt["module"] == MODULE
	assert path.parent.name == scrub(name) == path.stem
	assert path.parent.parent == MODULE_DIR / "doctype"
	assert (path.parent / "__init__.py").exists()


@pytest.mark.parametrize("name", NAMES)
def test_controller_class_matches_doctype(name):
	path = DOCTYPES[name]["__path__"].with_suffix(".py")
	tree = ast.parse(path.read_text(encoding="utf-8"))
	classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
	assert name.replace(" ", "") in classes, f"{path} must define class {name.replace(' ', '')}"


@pytest.mark.parametrize("name", NAMES)
def test_fields_are_well_formed(name):
	dt = DOCTYPES[name]
	fields = dt["fields"]
	fieldnames = [f["fieldname"] for f in fields]
	assert len(fieldnames) == len(set(fieldnames)), "duplicate fieldname"
	assert dt["field_order"] == fieldnames, "field_order must list the fields in order"
	for f in fields:
		assert re.fullmatch(r"[a-z][a-z0-9_]*", f["fieldname"]), f["fieldname"]
		assert f["fieldtype"] in FIELD_TYPES, f"{f['fieldname']}: unknown field type {f['fieldtype']}"
		if f["fieldtype"] not in NO_VALUE_TYPES and f["fieldtype"] != "Column Break":
			assert f.get("label"), f"{f['fieldname']} has no label"
		if f["fieldtype"] == "Select" and f.get("default") is not None:
			assert f["default"] in f["options"].split("\n"), f"{f['fieldname']}: default not an option"
		if f.get("reqd") and f.get("hidden") and not f.get("default"):
			pytest.fail(f"{f['fieldname']} is mandatory, hidden and has no default")


def known_doctypes():
	return set(DOCTYPES) | HOST_DOCTYPES


@pytest.mark.parametrize("name", NAMES)
def test_links_point_to_existing_doctypes(name):
	for f in DOCTYPES[name]["fields"]:
		if f["fieldtype"] in ("Link", "Table", "Table MultiSelect"):
			assert f.get("options") in known_doctypes(), f"{name}.{f['fieldname']} -> {f.get('options')}"
		if f["fieldtype"] in ("Table", "Table MultiSelect"):
			child = DOCTYPES[f["options"]]
			assert child.get("istable"), f"{f['options']} must be a child table"
		if f["fieldtype"] == "Table MultiSelect":
			links = [c for c in DOCTYPES[f["options"]]["fields"] if c["fieldtype"] == "Link"]
			assert len(links) == 1, f"{f['options']} needs exactly one Link field for a Table MultiSelect"
		if f["fieldtype"] == "Dynamic Link":
			assert f.get("options") in {x["fieldname"] for x in DOCTYPES[name]["fields"]}
	for link in DOCTYPES[name].get("links", []):
		assert link["link_doctype"] in known_doctypes()
		if link["link_doctype"] in DOCTYPES:
			target = {f["fieldname"] for f in DOCTYPES[link["link_doctype"]]["fields"]}
			assert link["link_fieldname"] in target


@pytest.mark.parametrize("name", NAMES)
def test_fetch_from_and_depends_on_name_real_fields(name):
	fields = {f["fieldname"]: f for f in DOCTYPES[name]["fields"]}
	for f in fields.values():
		if f.get("fetch_from"):
			source, _, target_field = f["fetch_from"].partition(".")
			assert fields.get(source, {}).get("fieldtype") == "Link", f"{f['fieldname']}: fetch from {source}"
			target_dt = fields[source]["options"]
			if target_dt in DOCTYPES:
				assert target_field in {x["fieldname"] for x in DOCTYPES[target_dt]["fields"]}
		for prop in ("depends_on", "mandatory_depends_on", "read_only_depends_on"):
			for ref in re.findall(r"doc\.([a-z_][a-z0-9_]*)", f.get(prop) or ""):
				if ref in DOCUMENT_PROPERTIES:
					continue
				assert ref in fields, f"{f['fieldname']}.{prop} names unknown field {ref}"


@pytest.mark.parametrize("name", NAMES)
def test_doctype_properties_name_real_fields(name):
	dt = DOCTYPES[name]
	fieldnames = {f["fieldname"] for f in dt["fields"]}
	standard = {"name", "modified", "creation", "owner", "idx"}
	for prop in ("title_field", "sender_field", "subject_field", "image_field"):
		if dt.get(prop):
			assert dt[prop] in fieldnames, f"{prop} = {dt[prop]}"
	if dt.get("sort_field"):
		assert dt["sort_field"] in fieldnames | standard
	for field in filter(None, (dt.get("search_fields") or "").split(",")):
		assert field.strip() in fieldnames, f"search field {field}"
	autoname = dt.get("autoname") or ""
	if autoname.startswith("field:"):
		field = next(f for f in dt["fields"] if f["fieldname"] == autoname[6:])
		assert field.get("reqd") and field.get("unique"), "a name field must be mandatory and unique"
	if autoname == "naming_series:":
		assert "naming_series" in fieldnames
	for ref in re.findall(r"\{(\w+)\}", autoname):
		assert ref in fieldnames


@pytest.mark.parametrize("name", NAMES)
def test_permissions_use_known_roles(name):
	dt = DOCTYPES[name]
	if dt.get("istable"):
		assert not dt["permissions"], "child tables take their parent's permissions"
		return
	roles = [p["role"] for p in dt["permissions"]]
	assert "System Manager" in roles
	assert set(roles) <= set(ROLES) | STANDARD_ROLES
	assert len(roles) == len(set(roles))
