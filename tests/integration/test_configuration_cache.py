"""The configuration filing reads from the cache (auto_service_crm/caching.py) changes as its
records do: a change counts for the next appeal, and a change rolled back leaves nothing behind."""

import frappe

from auto_service_crm.automatic_rules import load_rules
from auto_service_crm.identification import ad_channel_for
from auto_service_crm.status import OPEN_CATEGORIES, default_status, statuses_of
from tests.integration.factories import make_appeal

TRACKED = "+7 495 777-10-10"


def ad_channel(**fields):
	return frappe.get_doc(
		{
			"doctype": "Ad Channel",
			"ad_channel_name": f"Cache Test {frappe.generate_hash(length=6)}",
			"phone_numbers": [{"phone_number": TRACKED}],
			**fields,
		}
	).insert()


def test_an_ad_channel_counts_from_its_save_to_its_deletion():
	assert ad_channel_for(TRACKED) is None  # read, and kept, before the channel exists
	channel = ad_channel(utm_source="Cache-Test-Source")
	assert make_appeal(dialled_number=TRACKED).ad_channel == channel.name
	assert ad_channel_for(None, " cache-test-source ") == channel.name  # compared as the database does
	channel.enabled = 0
	channel.save()
	assert make_appeal(dialled_number=TRACKED).ad_channel is None
	channel.enabled = 1
	channel.save()
	assert ad_channel_for(TRACKED) == channel.name
	another = ad_channel(phone_numbers=[{"phone_number": "+7 495 777-20-20"}])
	assert ad_channel_for("+7 495 777-20-20") == another.name
	frappe.delete_doc("Ad Channel", another.name)
	assert ad_channel_for("+7 495 777-20-20") is None


def test_a_change_rolled_back_is_not_kept():
	rule = frappe.get_doc(
		{
			"doctype": "Automatic Category Rule",
			"rule_name": f"Cache test {frappe.generate_hash(length=6)}",
			"rule_order": 1,
			"category": "Other",
			"reason": "a visit",
			"conditions": [{"fact": "Channel", "operator": "=", "value": "Visit"}],
		}
	).insert()
	channel = ad_channel()
	assert rule.name in {r.name for r in load_rules()}  # read while uncommitted
	assert ad_channel_for(TRACKED) == channel.name
	frappe.db.rollback()
	assert rule.name not in {r.name for r in load_rules()}
	assert ad_channel_for(TRACKED) is None


def test_a_new_status_counts_at_once():
	before = statuses_of("Service Request Status", OPEN_CATEGORIES)
	waiting = frappe.get_doc(
		{
			"doctype": "Service Request Status",
			"status_name": f"Ждёт запчасти {frappe.generate_hash(length=4)}",
			"category": "Paused",
		}
	).insert()
	assert set(statuses_of("Service Request Status", OPEN_CATEGORIES)) == {*before, waiting.name}
	default = frappe.get_doc(
		{
			"doctype": "Appeal Status",
			"status_name": f"Новое {frappe.generate_hash(length=4)}",
			"category": "Open",
			"is_default": 1,
		}
	).insert()
	assert default_status("Appeal Status") == default.name
	frappe.delete_doc("Appeal Status", default.name)
	assert default_status("Appeal Status") not in (None, default.name)
