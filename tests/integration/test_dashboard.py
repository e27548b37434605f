"""The workspace's dashboard charts and number cards, computed by Frappe from the shipped records
(the grouped charts through the app's chart source), move by exactly the appeals a test adds; the
grouped charts label their slices in the reader's language."""

import frappe
from frappe.desk.doctype.dashboard_chart.dashboard_chart import get as chart_data
from frappe.desk.doctype.number_card.number_card import get_result as card_result
from frappe.utils import now_datetime

from tests.integration.factories import make_appeal


def group_counts(chart_name: str) -> dict[str, int]:
	"""The slices of a grouped chart, as the desk draws it: a Custom chart through its source."""
	chart = frappe.get_doc("Dashboard Chart", chart_name)
	if chart.chart_type == "Custom":
		source = frappe.scrub(chart.source)
		get = frappe.get_attr(
			f"auto_service_crm.auto_service_crm.dashboard_chart_source.{source}.{source}.get"
		)
		data = get(chart_name=chart_name)
	else:
		data = chart_data(chart_name=chart_name, refresh=1)
	data = data or {"labels": [], "datasets": [{"values": []}]}
	return dict(zip(data["labels"], data["datasets"][0]["values"], strict=True))


def todays_count(chart_name: str) -> int:
	data = chart_data(chart_name=chart_name, refresh=1)
	return data["datasets"][0]["values"][-1]  # the last point of «last month, daily» is today


def test_group_by_charts_count_this_months_appeals():
	before = {name: group_counts(name) for name in ("Appeals by Channel", "Appeals by Category")}
	missed_before = group_counts("Missed Calls by Loss Reason")
	now = now_datetime()
	make_appeal(appeal_datetime=now, phone="+79167100001", channel="Visit", category="Other")
	make_appeal(appeal_datetime=now, phone="+79167100002", channel="Visit")
	make_appeal(appeal_datetime=now, phone="+79167100003", channel="Missed Call", loss_reason="IVR")

	by_channel = group_counts("Appeals by Channel")
	assert by_channel.get("Visit", 0) - before["Appeals by Channel"].get("Visit", 0) == 2
	assert by_channel.get("Missed Call", 0) - before["Appeals by Channel"].get("Missed Call", 0) == 1
	by_category = group_counts("Appeals by Category")
	assert by_category.get("Other", 0) - before["Appeals by Category"].get("Other", 0) == 1
	assert None not in by_category, "appeals without a category are left out"
	missed = group_counts("Missed Calls by Loss Reason")
	assert missed.get("IVR", 0) - missed_before.get("IVR", 0) == 1
	assert sum(missed.values()) - sum(missed_before.values()) == 1, "only missed calls"


def test_grouped_charts_label_their_slices_in_the_readers_language():
	make_appeal(
		appeal_datetime=now_datetime(), phone="+79167100004", channel="Missed Call", loss_reason="IVR"
	)
	frappe.local.lang = "ru"
	try:
		by_channel = group_counts("Appeals by Channel")
		missed = group_counts("Missed Calls by Loss Reason")
	finally:
		frappe.local.lang = "en"
	assert by_channel.get("Пропущенный звонок", 0) >= 1 and "Missed Call" not in by_channel
	assert missed.get("Голосовое меню", 0) >= 1 and "IVR" not in missed


def test_appeals_per_day_and_the_appeals_today_card():
	chart_before = todays_count("Appeals per Day")
	card = frappe.get_doc("Number Card", "Appeals Today")
	card_before = card_result(card.as_dict(), card.filters_json)
	for n in range(3):
		make_appeal(appeal_datetime=now_datetime(), phone=f"+7916720000{n}")
	assert todays_count("Appeals per Day") - chart_before == 3
	assert card_result(card.as_dict(), card.filters_json) - card_before == 3
