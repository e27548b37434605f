"""Automatic Category Rule records: read for the pure rules, checked when saved, mirrored in settings.

The rules are evaluated by auto_service_crm.rules.automatic_categories; this module turns the
records into its ``Rule`` values, refuses a rule that cannot be evaluated (on sample facts) with the
reason, and logs a rule that fails at run time in the Error Log (intake goes on without it).

Appeal Category's ``automatic_rule`` Select is gone: a category is set by every rule that names
it (call continuation by two), which one Select on the category cannot show. The patch
``v0_3.automatic_categories_as_rules`` points each shipped rule at the category a site had given
the rule's Select.

Auto Service Settings keeps *Appeals in One Day for Call Continuation* and *Look Back for Refused
Service Requests*: they show, and edit, the value of the shipped rules' condition (the rule is the
truth; each save of one writes the other). A threshold of 0 disables the same-day rule, as it
switched that rule off before. A rule renamed or without that condition is not mirrored.
"""

import frappe
from frappe import _
from frappe.utils import cint

from auto_service_crm.caching import configuration, forget
from auto_service_crm.rules.automatic_categories import (
	ClientFacts,
	Condition,
	Evaluation,
	RefusedRequest,
	Rule,
	RuleError,
	check_rule,
	evaluate,
)
from auto_service_crm.setup.defaults import SETTINGS_OF_RULES

RULE = "Automatic Category Rule"
CONDITION = "Automatic Category Rule Condition"
SETTINGS = "Auto Service Settings"
SAME_DAY = "same_day_appeal_threshold"


def sample_facts() -> tuple[ClientFacts, ...]:
	"""Facts a rule is tried on before it is saved: nothing known, and everything known."""
	now = frappe.utils.now_datetime()
	return (
		ClientFacts(appeal_on=now),
		ClientFacts(
			appeal_on=now,
			earlier_appeals_same_day=2,
			open_service_requests=("SR-1",),
			open_repair_orders=("SO-1",),
			refused_requests=(RefusedRequest("SR-2", now),),
			client_kind="Repeat",
			channel="Incoming Call",
			ad_channel="Website",
		),
	)


def rule_of(doc) -> Rule:
	return Rule(
		name=doc.name or doc.rule_name,
		category=doc.category,
		conditions=tuple(Condition(row.fact, row.operator, row.value) for row in doc.conditions),
		order=cint(doc.rule_order),
		enabled=bool(doc.enabled),
		reason=doc.reason or "",
		link_request=doc.link_request or None,
	)


def rule_error_message(error: RuleError) -> str:
	return _(error.message).format(*(_(str(arg)) for arg in error.args_))


def validate_rule(doc) -> None:
	"""Refuse, with the reason, a rule that cannot be evaluated."""
	try:
		check_rule(rule_of(doc), sample_facts())
	except RuleError as e:
		frappe.throw(rule_error_message(e), title=_("Rule Cannot Be Evaluated"))


@configuration
def load_rules() -> list[Rule]:
	"""The enabled rules with their conditions (two queries, then kept until a rule changes)."""
	rules = frappe.get_all(
		RULE,
		filters={"enabled": 1},
		fields=["name", "category", "rule_order", "reason", "link_request"],
		order_by="rule_order asc, name asc",
	)
	if not rules:
		return []
	conditions: dict[str, list[Condition]] = {}
	for row in frappe.get_all(
		CONDITION,
		filters={"parenttype": RULE, "parent": ["in", [r.name for r in rules]]},
		fields=["parent", "fact", "operator", "value"],
		order_by="idx asc",
	):
		conditions.setdefault(row.parent, []).append(Condition(row.fact, row.operator, row.value))
	return [
		Rule(
			name=r.name,
			category=r.category,
			conditions=tuple(conditions.get(r.name, ())),
			order=cint(r.rule_order),
			reason=r.reason or "",
			link_request=r.link_request or None,
		)
		for r in rules
	]


def evaluate_rules(facts: ClientFacts) -> Evaluation:
	"""The decision of the enabled rules; each rule that failed is logged in the Error Log."""
	evaluation = evaluate(facts, load_rules())
	for rule, why in evaluation.failures:
		frappe.log_error(
			title=_("Automatic Category Rule {0} skipped").format(rule),
			message=_("The rule {0} could not be evaluated and was skipped: {1}").format(rule, why),
			reference_doctype=RULE,
			reference_name=rule,
		)
	return evaluation


def mirrored_condition(doc, fact: str):
	return next((row for row in doc.conditions if row.fact == fact), None)


def forget_rules() -> None:
	"""A rule saved or deleted: the rules are read again."""
	forget(load_rules)


def rule_into_settings(doc) -> None:
	"""A shipped rule was saved: its value shows in Auto Service Settings."""
	if doc.flags.keep_settings:
		return
	for setting, (rule_name, fact) in SETTINGS_OF_RULES.items():
		row = doc.name == rule_name and mirrored_condition(doc, fact)
		if not row:
			continue
		value = cint(row.value) if doc.enabled or setting != SAME_DAY else 0
		if cint(frappe.db.get_single_value(SETTINGS, setting)) != value:
			frappe.db.set_single_value(SETTINGS, setting, value)
			frappe.clear_document_cache(SETTINGS, SETTINGS)


def settings_into_rules(settings) -> None:
	"""Auto Service Settings was saved: a value changed there changes its shipped rule."""
	for setting in SETTINGS_OF_RULES:
		if settings.has_value_changed(setting):
			set_rule_value(setting, cint(settings.get(setting)))


def settings_values_into_rules() -> None:
	"""Copy what the settings hold into the shipped rules (the patch: the settings were the truth)."""
	for setting in SETTINGS_OF_RULES:
		stored = frappe.db.get_single_value(SETTINGS, setting)
		if stored not in (None, ""):
			set_rule_value(setting, cint(stored))


def set_rule_value(setting: str, value: int) -> None:
	"""The shipped rule mirrored by ``setting`` takes ``value`` (the same-day rule is off at 0)."""
	rule_name, fact = SETTINGS_OF_RULES[setting]
	if not frappe.db.exists(RULE, rule_name):
		return
	doc = frappe.get_doc(RULE, rule_name)
	row = mirrored_condition(doc, fact)
	if not row:
		return
	if setting == SAME_DAY and value <= 0:
		doc.enabled = 0
	else:
		row.value = str(value)
		if setting == SAME_DAY:
			doc.enabled = 1
	doc.flags.keep_settings = True
	doc.save(ignore_permissions=True)
