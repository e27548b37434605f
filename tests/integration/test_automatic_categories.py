"""The automatic categories of seed 000 on a real site, at and just past each boundary."""

import threading

import pytest

import frappe
from frappe.utils import add_days, add_to_date, now_datetime, nowdate

from tests.conftest import SITE
from tests.integration.conftest import SITES
from tests.integration.factories import make_appeal, make_customer, make_sales_order

PHONE = "+7 916 555-01-01"


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


def test_same_day_threshold_from_settings():
	frappe.db.set_single_value("Auto Service Settings", "same_day_appeal_threshold", 3)
	frappe.clear_document_cache("Auto Service Settings", "Auto Service Settings")
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
