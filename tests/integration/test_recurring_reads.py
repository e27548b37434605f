"""A lingering filing job reads the cached values every delivery reads in one round trip, as Redis
holds them when the delivery starts (``recurring_reads``, ``intake_queue.fresh_caches``)."""

import pickle

import pytest
import redis

import frappe

from auto_service_crm.intake_queue import fresh_caches

RUN = frappe.generate_hash(length=6)
VALUE = f"asc_test_recurring_value_{RUN}"
HASH = f"asc_test_recurring_hash_{RUN}"


def in_redis(key: str, value) -> None:
	"""Write as another process would: to Redis, not to this process's local copy."""
	redis.Redis.set(frappe.cache, frappe.cache.make_key(key), pickle.dumps(value))


@pytest.fixture
def cached():
	frappe.cache.set_value(VALUE, {"settings": 1})  # a dict kept as a value, as Frappe keeps many
	frappe.cache.hset(HASH, "Appeal", ["first"])
	frappe.local.cache = {}  # the test's deliveries read them from Redis, as a new request would
	frappe.local.asc_recurring_reads = None
	yield
	frappe.cache.delete_value([VALUE, HASH])


def delivery():
	"""What each delivery of the test reads of the cache, as Frappe's code does."""
	return frappe.cache.get_value(VALUE), frappe.cache.hget(HASH, "Appeal")


def local(key: str):
	return frappe.local.cache.get(frappe.cache.make_key(key))


def test_what_two_deliveries_in_a_row_read_is_in_hand_when_the_next_starts(cached):
	fresh_caches()
	delivery()
	fresh_caches()
	assert local(VALUE) is None, "one delivery read it: nothing learnt yet"
	delivery()
	fresh_caches()
	assert local(VALUE) == {"settings": 1} and local(HASH) == {"Appeal": ["first"]}, "read ahead"
	assert delivery() == ({"settings": 1}, ["first"])


def test_a_value_changed_between_deliveries_is_read_as_it_is_now(cached):
	for _ in range(3):
		fresh_caches()
		delivery()
	in_redis(VALUE, {"settings": 2})
	redis.Redis.hset(frappe.cache, frappe.cache.make_key(HASH), "Appeal", pickle.dumps(["second"]))
	fresh_caches()
	assert delivery() == ({"settings": 2}, ["second"])


def test_a_value_gone_from_redis_is_not_made_up_frappe_makes_it_again(cached):
	for _ in range(3):
		fresh_caches()
		delivery()
	redis.Redis.delete(frappe.cache, frappe.cache.make_key(VALUE), frappe.cache.make_key(HASH))
	fresh_caches()
	assert local(VALUE) is None and not local(HASH), "nothing stored for what Redis lost"
	assert frappe.cache.get_value(VALUE, generator=lambda: "made again") == "made again"
	assert frappe.cache.hget(HASH, "Appeal", generator=lambda: ["made again"]) == ["made again"]


def test_frappe_own_values_are_read_ahead_as_frappe_would_read_them(cached):
	"""Frappe's settings document and its DocTypes' Notifications, read by two deliveries in a row,
	are in hand at the start of the next, equal to what Frappe reads itself."""

	def frappe_delivery():
		return frappe.get_cached_doc("System Settings").as_dict(), frappe.cache.hget(
			"notifications", "Appeal"
		)

	for _ in range(3):
		fresh_caches()
		frappe_delivery()
	fresh_caches()
	ahead = frappe_delivery()
	key = frappe.get_document_cache_key("System Settings", "System Settings")
	assert local(key) is not None, "the settings document was read ahead"
	frappe.local.cache = {}
	assert frappe_delivery() == ahead, "the same as Frappe reads"
