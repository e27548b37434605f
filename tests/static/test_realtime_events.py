"""Every realtime event the app publishes has a script of the app that listens to it."""

import ast
import re

from tests.static.app_files import APP


def published_events() -> dict[str, str]:
	"""The events named in the app's ``frappe.publish_realtime(...)`` calls (a string, or a module-level
	constant holding one), each with the file that publishes it."""
	out = {}
	for path in APP.rglob("*.py"):
		tree = ast.parse(path.read_text(encoding="utf-8"))
		constants = {
			target.id: node.value.value
			for node in tree.body
			if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
			for target in node.targets
			if isinstance(target, ast.Name) and isinstance(node.value.value, str)
		}
		for node in ast.walk(tree):
			if not (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "publish_realtime"):
				continue
			first = (
				node.args[0]
				if node.args
				else next((k.value for k in node.keywords if k.arg == "event"), None)
			)
			if isinstance(first, ast.Constant) and isinstance(first.value, str):
				out[first.value] = path.name
			elif isinstance(first, ast.Name) and first.id in constants:
				out[constants[first.id]] = path.name
			else:
				raise AssertionError(f"{path.name}: publish_realtime with an event this check cannot read")
	return out


def listened_events() -> set[str]:
	pattern = re.compile(r"""frappe\.realtime\.on\(\s*["']([\w.-]+)["']""")
	return {m for path in APP.rglob("*.js") for m in pattern.findall(path.read_text(encoding="utf-8"))}


def test_every_published_realtime_event_has_a_listener():
	published = published_events()
	assert "auto_service_crm_appeal_message" in published
	missing = {event: where for event, where in published.items() if event not in listened_events()}
	assert not missing, f"published, nobody listens: {missing}"
