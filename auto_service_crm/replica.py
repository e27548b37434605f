"""Reports, charts and number cards read from the site's MariaDB replica when it has one.

A site reads from a replica when its config says so (``read_from_replica: 1``, ``replica_host``,
``replica_db_port``; ``different_credentials_for_replica`` with ``replica_db_name`` and
``replica_db_password`` when the replica has its own user): then a method decorated with
``@frappe.read_only()`` runs on a connection to the replica, and the rest of the request stays on
the primary. Without that config the decorator does nothing, and every read stays on the primary.

Frappe's query reports (``frappe.desk.query_report.run``, which report charts and report number
cards use too), the list and its counts (``frappe.desk.reportview``) and the workspace page are
read-only already. The workspace's charts and number cards are not: these are thin wrappers,
routed through ``override_whitelisted_methods`` in hooks.py, that call Frappe's originals, and the
app's own chart source, on the replica. A chart's ``last_synced_on`` (Frappe writes it once a chart
is computed) is written on the primary: only the computation runs on the replica.

What stays on the primary: every read that must see what the user has just committed. The appeal
window's calls (``desk.client_portrait``, ``event_feed``, ``task_tree``, ``category_results``,
``call_script``) and the call card run when the form opens or reloads after the operator's own
save, on the appeal just filed or saved: a replica a moment behind would show the client without
the phone just saved to them, or not find the new appeal at all. So does the form itself
(Frappe's ``getdoc``), and everything that writes.
"""

import inspect

import frappe
from frappe.desk.doctype.dashboard_chart import dashboard_chart
from frappe.desk.doctype.number_card import number_card
from frappe.utils.dashboard import cache_source

from auto_service_crm.auto_service_crm.dashboard_chart_source.appeals_grouped import appeals_grouped

# Frappe's chart computation without its decorators (the argument check of whitelist, and the cache
# that writes last_synced_on after it, which must write on the primary)
_chart_on_replica = frappe.read_only()(inspect.unwrap(dashboard_chart.get))


@frappe.whitelist()
@cache_source
def dashboard_chart_data(
	chart_name=None,
	chart=None,
	no_cache=None,
	filters=None,
	from_date=None,
	to_date=None,
	timespan=None,
	time_interval=None,
	heatmap_year=None,
	refresh=None,
):
	"""A Dashboard Chart's data (Frappe's ``dashboard_chart.get``), computed on the replica and
	cached as Frappe caches it; the chart's sync time is written on the primary."""
	return _chart_on_replica(
		chart_name=chart_name,
		chart=chart,
		no_cache=no_cache,
		filters=filters,
		from_date=from_date,
		to_date=to_date,
		timespan=timespan,
		time_interval=time_interval,
		heatmap_year=heatmap_year,
	)


@frappe.whitelist()
@frappe.read_only()
def number_card_result(doc, filters, to_date=None):
	"""A Number Card's value (Frappe's ``number_card.get_result``), read on the replica."""
	return number_card.get_result(doc, filters, to_date)


@frappe.whitelist()
@frappe.read_only()
def number_card_percentage_difference(doc, filters, result):
	"""A Number Card's change against its previous interval (Frappe's
	``number_card.get_percentage_difference``), read on the replica."""
	return number_card.get_percentage_difference(doc, filters, result)


@frappe.whitelist()
@frappe.read_only()
def appeals_grouped_chart(
	chart_name=None,
	chart=None,
	no_cache=None,
	filters=None,
	from_date=None,
	to_date=None,
	timespan=None,
	time_interval=None,
	heatmap_year=None,
):
	"""The app's «Appeals Grouped» chart source (appeals by channel, category, loss reason), read on
	the replica."""
	return appeals_grouped.get(
		chart_name=chart_name,
		chart=chart,
		no_cache=no_cache,
		filters=filters,
		from_date=from_date,
		to_date=to_date,
		timespan=timespan,
		time_interval=time_interval,
		heatmap_year=heatmap_year,
	)
