"""The decision table of completing an appeal: every predefined category with each of its results."""

from datetime import datetime, timedelta

import pytest

from auto_service_crm.rules.appeal_completion import (
	Action,
	AppealState,
	CategorySpec,
	CompletionError,
	ResultSpec,
	fields_needed,
	is_blank,
	plan_completion,
)
from auto_service_crm.setup import defaults

NOW = datetime(2026, 11, 23, 10, 0)
LATER = NOW + timedelta(days=1)


def category(name):
	c = next(c for c in defaults.CATEGORIES if c["category_name"] == name)
	return CategorySpec(name, c["on_selection"], c.get("closing_status"), tuple(c.get("results", ())))


def result(name):
	r = next(r for r in defaults.RESULTS if r["result_name"] == name)
	fields = {k: v for k, v in r.items() if k in ResultSpec.__dataclass_fields__ and k != "result_name"}
	return ResultSpec(name=name, **fields)


def state(**kw):
	return AppealState(now=NOW, **kw)


def plan(cat, res=None, **kw):
	return plan_completion(category(cat), result(res) if res else None, state(category=cat, result=res, **kw))


def test_no_category_no_completion():
	with pytest.raises(CompletionError) as e:
		plan_completion(None, None, state(category=None))
	assert e.value.missing == ("category",)


@pytest.mark.parametrize("cat", ["Call Continuation", "Repair Order Status", "Other"])
def test_closing_categories_end_the_appeal_without_a_result(cat):
	p = plan(cat)
	assert p.action == Action.CLOSE_APPEAL and p.closes_appeal and p.appeal_status == "Closed"
	assert p.service_request_kind is None


def test_repeat_appeal_continues_the_refused_request():
	p = plan("Repeat Appeal", service_request="SR-5")
	assert p.action == Action.CONTINUE_SERVICE_REQUEST
	assert p.continue_service_request == "SR-5" and p.closes_appeal
	with pytest.raises(CompletionError) as e:
		plan("Repeat Appeal")
	assert e.value.missing == ("service_request",)


@pytest.mark.parametrize("cat", ["Repair Services", "Spare Parts"])
def test_targeted_categories_need_a_result(cat):
	with pytest.raises(CompletionError) as e:
		plan(cat)
	assert e.value.missing == ("result",)


def test_result_must_belong_to_the_category():
	with pytest.raises(CompletionError, match="not one of") as e:
		plan("Repair Services", "Sale Made", sales_order="SO-1")
	assert e.value.template == "The result {0} is not one of the category {1}"
	assert e.value.values == ("Sale Made", "Repair Services") and not e.value.missing


def test_repair_client_booked():
	p = plan("Repair Services", "Client Booked", booking_time=LATER)
	assert p.action == Action.HAND_OFF and p.service_request_kind == "Repair"
	assert p.service_request_status == "Booked" and p.create_appointment and p.closes_appeal
	assert p.appeal_status == "Handed Off"
	with pytest.raises(CompletionError) as e:
		plan("Repair Services", "Client Booked")
	assert e.value.missing == ("booking_time",)
	with pytest.raises(CompletionError, match="in the past"):
		plan("Repair Services", "Client Booked", booking_time=NOW - timedelta(hours=1))


def test_repair_postpone():
	p = plan("Repair Services", "Postpone", callback_at=LATER)
	assert p.action == Action.HAND_OFF and p.service_request_status == "Postponed"
	assert p.todo_due == LATER and not p.create_appointment
	with pytest.raises(CompletionError) as e:
		plan("Repair Services", "Postpone")
	assert e.value.missing == ("callback_at",)
	with pytest.raises(CompletionError, match="in the past"):
		plan("Repair Services", "Postpone", callback_at=NOW - timedelta(minutes=5))


@pytest.mark.parametrize("cat", ["Repair Services", "Spare Parts"])
def test_redirect_now(cat):
	p = plan(cat, "Redirect", redirect_to="advisor@example.com")
	assert p.action == Action.REDIRECT and p.assign_to == "advisor@example.com"
	assert not p.closes_appeal and p.todo_due is None and not p.callback_status


@pytest.mark.parametrize("cat", ["Repair Services", "Spare Parts"])
def test_redirect_with_callback(cat):
	p = plan(cat, "Redirect", redirect_to="advisor@example.com", call_back=True, callback_at=LATER)
	assert p.todo_due == LATER and p.callback_status
	with pytest.raises(CompletionError) as e:
		plan(cat, "Redirect", redirect_to="advisor@example.com", call_back=True)
	assert e.value.missing == ("callback_at",)
	with pytest.raises(CompletionError) as e:
		plan(cat, "Redirect")
	assert e.value.missing == ("redirect_to",)


@pytest.mark.parametrize("cat", ["Repair Services", "Spare Parts"])
def test_refused(cat):
	p = plan(cat, "Refused", values={"result_reason": "Too expensive"})
	assert p.action == Action.CLOSE_APPEAL and p.appeal_status == "Refused" and p.closes_appeal
	for blank in (None, "", "   "):
		with pytest.raises(CompletionError) as e:
			plan(cat, "Refused", values={"result_reason": blank})
		assert e.value.missing == ("result_reason",)


def test_parts_await_with_reservation():
	p = plan("Spare Parts", "Await Client with Reservation", values={"items": [{"item_code": "A"}]})
	assert p.action == Action.HAND_OFF and p.service_request_kind == "Parts"
	assert p.reserve_stock and not p.record_sale and p.service_request_status == "Awaiting Client"
	with pytest.raises(CompletionError) as e:
		plan("Spare Parts", "Await Client with Reservation", values={"items": []})
	assert e.value.missing == ("items",)


def test_parts_await_without_reservation():
	p = plan("Spare Parts", "Await Client without Reservation")
	assert p.action == Action.HAND_OFF and not p.reserve_stock and p.service_request_kind == "Parts"


def test_parts_sale_made():
	p = plan("Spare Parts", "Sale Made", sales_order="SO-1")
	assert p.record_sale and p.service_request_status == "Completed"
	with pytest.raises(CompletionError) as e:
		plan("Spare Parts", "Sale Made")
	assert e.value.missing == ("sales_order",)


def test_several_missing_fields_are_named_together():
	custom = ResultSpec(
		"Book with Parts",
		Action.HAND_OFF,
		"Handed Off",
		"Repair",
		None,
		required_fields=("booking_time", "items"),
	)
	cat = CategorySpec("Tyres", "Ask for Result", None, ("Book with Parts",))
	with pytest.raises(CompletionError) as e:
		plan_completion(cat, custom, state(category="Tyres", result="Book with Parts"))
	assert e.value.missing == ("booking_time", "items")


def required(*fields, action=Action.CLOSE_APPEAL, **kw):
	"""A consultant's result of the category "Tyres" that requires ``fields``."""
	return ResultSpec("Checked", action, "Closed", required_fields=fields, **kw)


TYRES = CategorySpec("Tyres", "Ask for Result", None, ("Checked",))


def missing_of(result, **kw):
	try:
		plan_completion(TYRES, result, state(category="Tyres", result=result.name, **kw))
	except CompletionError as e:
		return e.missing
	return ()


@pytest.mark.parametrize(
	"values, missing",
	[
		({}, ("custom_tyre_size",)),  # not given at all
		({"custom_tyre_size": None}, ("custom_tyre_size",)),
		({"custom_tyre_size": ""}, ("custom_tyre_size",)),
		({"custom_tyre_size": " \n\t"}, ("custom_tyre_size",)),
		({"custom_tyre_size": "205/55 R16"}, ()),
		# zero is no value: Frappe keeps an unfilled number (and an unticked checkbox) as 0
		({"custom_tyre_size": 0}, ("custom_tyre_size",)),
		({"custom_tyre_size": 0.0}, ("custom_tyre_size",)),
		({"custom_tyre_size": False}, ("custom_tyre_size",)),
		({"custom_tyre_size": "0"}, ()),  # text that reads 0 is a value
		({"custom_tyre_size": 16}, ()),
		({"custom_tyre_size": -1.5}, ()),
		({"custom_tyre_size": 1}, ()),  # a ticked checkbox
		({"custom_tyre_size": True}, ()),
		({"custom_tyre_size": []}, ("custom_tyre_size",)),  # a table without rows
		({"custom_tyre_size": [{"item_code": "TYRE"}]}, ()),
	],
)
def test_a_required_custom_field_is_missing_until_it_has_a_value(values, missing):
	assert missing_of(required("custom_tyre_size"), values=values) == missing


def test_required_fields_are_named_in_the_consultants_order():
	result = required("custom_tyre_size", "result_reason", "custom_wheel_count")
	assert missing_of(result, values={"result_reason": "Worn"}) == ("custom_tyre_size", "custom_wheel_count")
	with pytest.raises(CompletionError) as e:
		plan_completion(TYRES, result, state(category="Tyres", result="Checked"))
	assert e.value.template == "The result {0} needs: {1}"
	assert e.value.values == ("Checked", "custom_tyre_size, result_reason, custom_wheel_count")


def test_a_result_that_requires_nothing_asks_for_nothing():
	assert missing_of(required()) == ()
	assert is_blank(None) and is_blank("  ") and is_blank(()) and is_blank(0) and not is_blank("0")


def test_an_attribute_field_is_read_from_the_state_when_no_value_is_given():
	assert missing_of(required("booking_time"), booking_time=LATER) == ()
	assert missing_of(required("booking_time")) == ("booking_time",)
	# a value given wins over the attribute
	assert missing_of(required("redirect_to"), redirect_to="a@example.com", values={"redirect_to": ""}) == (
		"redirect_to",
	)


def test_what_an_action_needs_by_itself_comes_after_the_listed_fields_and_once():
	redirect = required("custom_tyre_size", action=Action.REDIRECT)
	assert missing_of(redirect) == ("custom_tyre_size", "redirect_to")
	assert missing_of(redirect, call_back=True) == ("custom_tyre_size", "callback_at", "redirect_to")
	assert missing_of(required("redirect_to", action=Action.REDIRECT)) == ("redirect_to",)
	assert fields_needed(
		required("sales_order", "custom_tyre_size", record_sale=True), state(category="T")
	) == (
		"sales_order",
		"custom_tyre_size",
	)
	sale = required(
		"custom_tyre_size", action=Action.HAND_OFF, service_request_kind="Parts", record_sale=True
	)
	assert missing_of(sale, values={"custom_tyre_size": "R16"}) == ("sales_order",)


def test_a_result_without_the_booking_time_books_no_appointment():
	booked = required("booking_time", action=Action.HAND_OFF, service_request_kind="Repair")
	p = plan_completion(TYRES, booked, state(category="Tyres", result="Checked", booking_time=LATER))
	assert p.create_appointment
	other = required("custom_tyre_size", action=Action.HAND_OFF, service_request_kind="Repair")
	p = plan_completion(
		TYRES,
		other,
		state(category="Tyres", result="Checked", booking_time=LATER, values={"custom_tyre_size": "R16"}),
	)
	assert not p.create_appointment and p.todo_due is None


def test_a_consultants_continue_result():
	custom = ResultSpec(
		"Back to Request", Action.CONTINUE_SERVICE_REQUEST, "Closed", service_request_status="Open"
	)
	cat = CategorySpec("Follow-up", "Ask for Result", None, ("Back to Request",))
	p = plan_completion(
		cat, custom, state(category="Follow-up", result="Back to Request", service_request="SR-1")
	)
	assert p.continue_service_request == "SR-1" and p.service_request_status == "Open"
	with pytest.raises(CompletionError):
		plan_completion(cat, custom, state(category="Follow-up", result="Back to Request"))


def test_hand_off_without_a_kind_is_refused():
	custom = ResultSpec("Vague", Action.HAND_OFF, "Handed Off")
	cat = CategorySpec("X", "Ask for Result", None, ("Vague",))
	with pytest.raises(CompletionError, match="which kind"):
		plan_completion(cat, custom, state(category="X", result="Vague"))


def test_unknown_action_is_refused():
	custom = ResultSpec("Odd", "Teleport")
	cat = CategorySpec("X", "Ask for Result", None, ("Odd",))
	with pytest.raises(CompletionError, match="Unknown action"):
		plan_completion(cat, custom, state(category="X", result="Odd"))


def test_actions_are_the_select_options_of_the_result():
	from tests.static.app_files import doctypes

	options = next(f for f in doctypes()["Appeal Result"]["fields"] if f["fieldname"] == "action")
	assert {a.value for a in Action} == set(options["options"].split("\n"))
