"""Static checks of hooks, fixtures, modules, patches and translations."""

import csv
import json
import re

import pytest

from tests.static.app_files import (
	APP,
	MODULE,
	ROOT,
	doctypes,
	functions_in,
	hooks,
	iter_hook_paths,
	resolve_dotted_path,
)

HOOKS = hooks()
HOOK_PATHS = sorted({path for value in HOOKS.values() for path in iter_hook_paths(value)})


def test_hooks_declare_the_app():
	assert HOOKS["app_name"] == "auto_service_crm"
	assert HOOKS["required_apps"] == ["frappe/erpnext"]
	assert HOOK_PATHS, "hooks.py wires nothing"


@pytest.mark.parametrize("dotted", HOOK_PATHS)
def test_hook_path_resolves_to_a_function_of_the_app(dotted):
	module_file, attr = resolve_dotted_path(dotted)
	assert module_file is not None, f"{dotted}: no such module in the app"
	assert attr in functions_in(module_file), f"{dotted}: {module_file.name} has no {attr}"


def test_hook_file_paths_exist():
	for key in ("doctype_js", "doctype_list_js", "page_js"):
		for path in (HOOKS.get(key) or {}).values():
			for p in [path] if isinstance(path, str) else path:
				assert (APP / p).exists(), f"{key}: {p}"
	for key in ("app_include_js", "app_include_css", "web_include_js", "web_include_css"):
		value = HOOKS.get(key) or []
		for p in [value] if isinstance(value, str) else value:
			if p.startswith("/assets/auto_service_crm/"):
				assert (APP / "public" / p.removeprefix("/assets/auto_service_crm/")).exists(), p
			else:
				assert list((APP / "public").rglob(p.split("/")[-1])), p


def test_modules_txt_names_the_module_and_its_folder():
	modules = [m.strip() for m in (APP / "modules.txt").read_text().splitlines() if m.strip()]
	assert modules == [MODULE]
	assert (APP / "auto_service_crm" / "__init__.py").exists()


def test_patches_resolve():
	for line in (APP / "patches.txt").read_text().splitlines():
		line = line.split("#")[0].strip()
		if not line or line.startswith("["):
			continue
		module_file, _ = resolve_dotted_path(line.split()[0] + ".execute")
		assert module_file is not None, line
		assert "execute" in functions_in(module_file), line


def test_fixtures_are_this_apps_records():
	declared = {f if isinstance(f, str) else f["dt"] for f in HOOKS.get("fixtures", [])}
	for spec in HOOKS.get("fixtures", []):
		assert isinstance(spec, dict) and spec.get("filters"), (
			"fixtures must be filtered to the app's records"
		)
	for path in sorted((APP / "fixtures").glob("*.json")):
		records = json.loads(path.read_text(encoding="utf-8"))
		assert isinstance(records, list) and records, path.name
		assert {r["doctype"] for r in records} <= declared, path.name


def test_every_fixture_declared_in_hooks_has_a_file():
	for spec in HOOKS.get("fixtures", []):
		dt = spec if isinstance(spec, str) else spec["dt"]
		name = dt.lower().replace(" ", "_") + ".json"
		assert (APP / "fixtures" / name).exists(), name


def read_translations(lang: str) -> dict[str, str]:
	with open(APP / "translations" / f"{lang}.csv", encoding="utf-8", newline="") as fh:
		rows = list(csv.reader(fh))
	assert all(len(row) in (2, 3) for row in rows), "a translation row is source,translation[,context]"
	return {row[0]: row[1] for row in rows}


def labels_of_the_app() -> set[str]:
	out = set()
	for dt in doctypes().values():
		out.add(dt["name"])
		for f in dt["fields"]:
			if f.get("label"):
				out.add(f["label"])
			if f.get("description"):
				out.add(f["description"])
			if f["fieldtype"] == "Select" and f["fieldname"] != "naming_series":
				out |= {o for o in f["options"].split("\n") if o and not o.endswith(".")}
	return out


def strings_in_code() -> set[str]:
	out = set()
	pattern = re.compile(r"""(?<![\w.])_\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
	for path in APP.rglob("*.py"):
		for match in pattern.finditer(path.read_text(encoding="utf-8")):
			out.add(eval(match.group(1)))
	# the completion rules' messages, which the app translates when it shows them
	rules = (APP / "rules" / "appeal_completion.py").read_text(encoding="utf-8")
	out |= set(re.findall(r'CompletionError\(\s*"([^"]+)"', rules))
	for path in APP.rglob("*.js"):
		for match in re.finditer(r"""__\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""", path.read_text()):
			out.add(eval(match.group(1)))
	return out


def test_russian_translation_covers_every_label_and_message():
	ru = read_translations("ru")
	missing = sorted((labels_of_the_app() | strings_in_code()) - set(ru))
	assert not missing, "untranslated: " + "; ".join(missing)
	assert all(ru.values()), "empty translation"


def test_russian_translation_covers_the_default_records():
	from auto_service_crm.setup import defaults

	ru = read_translations("ru")
	names = [r["channel_name"] for r in defaults.CHANNELS]
	names += [r["status_name"] for r in defaults.APPEAL_STATUSES + defaults.SERVICE_REQUEST_STATUSES]
	names += [r["result_name"] for r in defaults.RESULTS] + [c["category_name"] for c in defaults.CATEGORIES]
	names += list(defaults.ROLES)
	assert not sorted(set(names) - set(ru))


def test_packaging_reads_the_version_from_the_package():
	setup_py = (ROOT / "setup.py").read_text()
	assert "auto_service_crm" in setup_py and "__version__" in setup_py
	assert re.search(r'^__version__ = "\d+\.\d+\.\d+"', (APP / "__init__.py").read_text(), re.M)
