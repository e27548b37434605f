"""The automatic categories of seed 000 on a real site, at and just past each boundary: the shipped
Automatic Category Rule records, a consultant's own, a broken one, and the settings they mirror."""

import threading

import pytest

import frappe
from frappe.utils import add_days, add_to_date, now_datetime, nowdate

from auto_service_crm.patches.v0_3 import automatic_categories_as_rules
from auto_service_crm.setup.defaults import AUTOMATIC_CATEGORY_RULES
from auto_service_crm.setup.install import after_migrate
from tests.conftest import SITE
from tests.integration.conftest import SITES
from tests.integration.factories import make_appeal, make_customer, make_sales_order

PHONE = "+7 916 555-01-01"
RULE = "Automatic Category Rule"
SETTINGS = "Auto Service Settings"


def test_second_call_of_the_day_from_one_number_is_call_continuation():
	first = make_appeal(phone=PHONE, appeal_datetime=f"{nowdate()} 09:00:00")
	assert not first.category
	second = make_appeal(phone="8 916 555 01 01", appeal_datetime=f"{nowdate()} 18:30:00")
	assert second.category == "Call Continuation"
	assert second.category_set_automatically
	assert "no. 2" in second.automatic_reason


def test_a_call_the_next_day_is_not_a_continuation():
	make_appeal(phone=PHONE, appeal_datetime=f"{add_days(nowdate(), -1)} 23:59:00")
	today = make_appeal(phone=PHONE, appeal_datetime=f"{nowdate()} 00:01:00")
	assert not today.category


def set_condition_value(rule_name, value):
	rule = frappe.get_doc(RULE, rule_name)
	rule.conditions[0].value = str(value)
	rule.save()


def test_same_day_threshold_from_the_rule():
	set_condition_value("Call Continuation: Appeals Today", 3)
	make_appeal(phone=PHONE)
	assert not make_appeal(phone=PHONE).category
	assert make_appeal(phone=PHONE).category == "Call Continuation"


def test_open_service_request_makes_a_continuation_linked_to_it():
	customer = make_customer()
	request = frappe.get_doc({"doctype": "Service Request", "kind": "Repair", "customer": customer}).insert()
	appeal = make_appeal(customer=customer)
	assert appeal.category == "Call Continuation"
	assert appeal.service_request == request.name


def test_open_repair_order_makes_repair_order_status():
	customer = make_customer()
	order = make_sales_order(customer, is_repair_order=1)
	appeal = make_appeal(customer=customer)
	assert appeal.category == "Repair Order Status"
	assert order.name in appeal.automatic_reason


def refused_request(customer, days_ago):
	request = frappe.get_doc({"doctype": "Service Request", "kind": "Repair", "customer": customer}).insert()
	request.status = "Refused"
	request.refusal_reason = "Too expensive"
	request.save()
	assert request.closed_on
	request.db_set("closed_on", add_to_date(now_datetime(), days=-days_ago))
	return request


def test_refused_30_days_ago_is_a_repeat_appeal():
	customer = make_customer()
	request = refused_request(customer, 30)
	appeal = make_appeal(customer=customer)
	assert appeal.category == "Repeat Appeal"
	assert appeal.service_request == request.name


def test_refused_31_days_ago_is_not():
	customer = make_customer()
	refused_request(customer, 31)
	assert not make_appeal(customer=customer).category


def test_identifying_the_client_later_sets_the_category():
	customer = make_customer()
	make_sales_order(customer, is_repair_order=1)
	appeal = make_appeal(phone="+7 916 555-77-77")
	assert not appeal.category
	appeal.customer = customer
	appeal.save()
	assert appeal.category == "Repair Order Status"


def test_operator_override_needs_a_reason_kept_in_history():
	make_appeal(phone=PHONE)
	appeal = make_appeal(phone=PHONE)
	assert appeal.category == "Call Continuation"
	appeal.category = "Repair Services"
	with pytest.raises(frappe.ValidationError, match="why"):
		appeal.save()
	appeal = frappe.get_doc("Appeal", appeal.name)  # the operator's next request
	appeal.category = "Repair Services"
	appeal.category_override_reason = "Wants a new booking, not the earlier call"
	appeal.save(ignore_version=False)  # Frappe records no Version under tests unless asked
	assert not appeal.category_set_automatically
	versions = frappe.get_all(
		"Version", filters={"ref_doctype": "Appeal", "docname": appeal.name}, pluck="data"
	)
	changed = [change for data in versions for change in frappe.parse_json(data).get("changed", [])]
	assert ["category", "Call Continuation", "Repair Services"] in changed
	assert any(c[0] == "category_override_reason" for c in changed)
	appeal.save()  # saving again keeps the operator's choice
	assert appeal.category == "Repair Services"


def test_two_simultaneous_calls_from_one_number():
	"""Two requests at once from one number, each in its own connection: the second sees the first."""
	phone = f"+7916{frappe.generate_hash(length=7).translate(str.maketrans('abcdef', '123456'))[:7]}"
	barrier = threading.Barrier(2)
	names, errors = [], []

	def call():
		try:
			frappe.init(site=SITE, sites_path=str(SITES))
			frappe.connect()
			frappe.set_user("Administrator")
			barrier.wait(timeout=10)
			names.append(make_appeal(phone=phone).name)
			frappe.db.commit()
		except Exception as e:
			errors.append(e)
		finally:
			frappe.destroy()

	threads = [threading.Thread(target=call) for _ in range(2)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join(timeout=60)
	try:
		assert not errors, errors
		categories = sorted(frappe.db.get_value("Appeal", name, "category") or "" for name in names)
		assert categories == ["", "Call Continuation"]
	finally:
		for name in names:
			frappe.delete_doc("Appeal", name, force=True)
		frappe.db.commit()


def test_refused_look_back_from_the_rule():
	set_condition_value("Recently Refused Service Request", 9)
	customer = make_customer()
	refused_request(customer, 10)
	assert not make_appeal(customer=customer).category
	set_condition_value("Recently Refused Service Request", 10)
	customer = make_customer()  # a client of no appeal today
	refused_request(customer, 10)
	assert make_appeal(customer=customer).category == "Repeat Appeal"


def test_the_settings_edit_the_shipped_rules_and_show_their_values():
	settings = frappe.get_doc(SETTINGS)
	settings.same_day_appeal_threshold = 3
	settings.refused_request_lookback_days = 14
	settings.save()
	same_day = frappe.get_doc(RULE, "Call Continuation: Appeals Today")
	assert (same_day.enabled, same_day.conditions[0].value) == (1, "3")
	assert frappe.get_doc(RULE, "Recently Refused Service Request").conditions[0].value == "14"
	make_appeal(phone=PHONE)
	assert not make_appeal(phone=PHONE).category
	assert make_appeal(phone=PHONE).category == "Call Continuation"

	set_condition_value("Call Continuation: Appeals Today", 4)
	assert frappe.db.get_single_value(SETTINGS, "same_day_appeal_threshold") == 4
	same_day = frappe.get_doc(RULE, "Call Continuation: Appeals Today")
	same_day.enabled = 0
	same_day.save()
	assert frappe.db.get_single_value(SETTINGS, "same_day_appeal_threshold") == 0


def test_a_threshold_of_zero_switches_the_same_day_rule_off():
	settings = frappe.get_doc(SETTINGS)
	settings.same_day_appeal_threshold = 0
	settings.save()
	assert not frappe.db.get_value(RULE, "Call Continuation: Appeals Today", "enabled")
	make_appeal(phone=PHONE)
	assert not make_appeal(phone=PHONE).category
	settings = frappe.get_doc(SETTINGS)
	settings.same_day_appeal_threshold = 2
	settings.save()
	assert make_appeal(phone=PHONE).category == "Call Continuation"


def consultants_rule(**fields):
	return frappe.get_doc(
		{
			"doctype": RULE,
			"rule_name": f"Website newcomers {frappe.generate_hash(length=6)}",
			"rule_order": 50,
			"category": "Repair Services",
			"reason": "a new client from the {channel}",
			"conditions": [
				{"fact": "Channel", "operator": "=", "value": "Website Form"},
				{"fact": "Client Kind", "operator": "=", "value": "Primary"},
			],
			**fields,
		}
	)


def test_a_consultants_rule_works_without_code():
	rule = consultants_rule().insert()
	appeal = make_appeal(channel="Website Form", phone="+7 916 555-02-02")
	assert appeal.client_kind == "Primary"
	assert appeal.category == "Repair Services"
	assert appeal.category_set_automatically
	assert appeal.automatic_reason == "a new client from the Website Form"
	assert not make_appeal(channel="Incoming Call", phone="+7 916 555-02-03").category

	customer = make_customer()
	frappe.get_doc(
		{"doctype": "Service Request", "kind": "Repair", "customer": customer}
	).insert()  # call continuation (order 30) comes before the consultant's rule (order 50)
	assert make_appeal(channel="Website Form", customer=customer).category == "Call Continuation"
	rule.rule_order = 5
	rule.save()
	assert make_appeal(channel="Website Form", customer=customer).category == "Repair Services"
	rule.enabled = 0
	rule.save()
	assert not make_appeal(channel="Website Form", phone="+7 916 555-02-04").category


@pytest.mark.parametrize(
	("conditions", "reason", "why"),
	[
		([{"fact": "Appeals Today", "operator": ">=", "value": "two"}], "r", "whole number"),
		([{"fact": "Channel", "operator": ">", "value": "Chat"}], "r", "cannot be compared"),
		([{"fact": "Client Kind", "operator": "=", "value": "VIP"}], "r", "Primary or Repeat"),
		([{"fact": "Appeals Today", "operator": ">=", "value": ""}], "r", "needs a value"),
		([{"fact": "Appeals Today", "operator": ">=", "value": "2"}], "no. {appeal_count}", "no fact"),
	],
)
def test_a_rule_that_cannot_be_evaluated_is_refused_on_save(conditions, reason, why):
	with pytest.raises(frappe.ValidationError, match=why):
		consultants_rule(conditions=conditions, reason=reason).insert()


def test_a_rule_needs_a_condition():
	with pytest.raises(frappe.ValidationError):
		consultants_rule(conditions=[]).insert()


def test_a_rule_broken_at_run_time_is_skipped_and_logged():
	rule = consultants_rule(rule_order=1, category="Other").insert()
	# a condition the form would refuse, written past it (as an older version's data could be)
	frappe.db.set_value("Automatic Category Rule Condition", rule.conditions[0].name, "operator", "~")
	logged_before = frappe.db.count("Error Log", {"reference_doctype": RULE, "reference_name": rule.name})
	make_appeal(phone=PHONE)
	appeal = make_appeal(phone=PHONE, channel="Website Form")
	assert appeal.category == "Call Continuation"  # the next rule still decides
	logs = frappe.get_all(
		"Error Log", filters={"reference_doctype": RULE, "reference_name": rule.name}, pluck="error"
	)
	assert len(logs) == logged_before + 2
	assert "Unknown operator ~" in logs[0]


def shipped_rules():
	return sorted(
		(r.name, r.rule_order, r.category, r.enabled)
		for r in frappe.get_all(RULE, fields=["name", "rule_order", "category", "enabled"])
	)


def test_migrate_twice_leaves_one_set_of_rules():
	expected = sorted((r["rule_name"], r["rule_order"], r["category"], 1) for r in AUTOMATIC_CATEGORY_RULES)
	assert shipped_rules() == expected
	after_migrate()
	after_migrate()
	automatic_categories_as_rules.execute()
	assert shipped_rules() == expected
	assert frappe.db.count("Automatic Category Rule Condition", {"parenttype": RULE}) == 4


def test_the_patch_makes_the_rules_from_the_earlier_settings():
	frappe.db.delete("Automatic Category Rule Condition", {"parenttype": RULE})
	frappe.db.delete(RULE)
	frappe.db.set_single_value(SETTINGS, {"same_day_appeal_threshold": 3, "refused_request_lookback_days": 7})
	automatic_categories_as_rules.execute()
	automatic_categories_as_rules.execute()
	assert [name for name, *_ in shipped_rules()] == sorted(r["rule_name"] for r in AUTOMATIC_CATEGORY_RULES)
	assert frappe.get_doc(RULE, "Call Continuation: Appeals Today").conditions[0].value == "3"
	assert frappe.get_doc(RULE, "Recently Refused Service Request").conditions[0].value == "7"
	assert frappe.db.get_single_value(SETTINGS, "same_day_appeal_threshold") == 3
