"""Reports, charts and number cards read from the site's MariaDB replica; writes go to the primary.

A second MariaDB server on loopback replicates the site's database from the bench's server, and
the test process's site config points Frappe at it (``read_from_replica``, ``replica_host``,
``replica_db_port``). The replica is then held back (its SQL thread stopped) while an appeal is
committed on the primary: the desk's report, chart and number card calls, made as the desk makes
them (through the app's ``override_whitelisted_methods``), do not count it until the replica
applies the log again, while a read on the primary does at once.

Replication only sees committed rows: the appeal is committed, and deleted (and committed) after.
"""

import os

import pytest

import frappe
from frappe.utils import nowdate

from tests.integration.factories import make_appeal
from tests.integration.services import MariaDBReplica
from tests.integration.web import Committed

CHART = "frappe.desk.doctype.dashboard_chart.dashboard_chart.get"
CARD = "frappe.desk.doctype.number_card.number_card.get_result"
CARD_CHANGE = "frappe.desk.doctype.number_card.number_card.get_percentage_difference"
GROUPED = "auto_service_crm.auto_service_crm.dashboard_chart_source.appeals_grouped.appeals_grouped.get"
REPORT = "frappe.desk.query_report.run"


def desk_call(method: str, **kwargs):
	"""Call a whitelisted method as the desk's request does (the last override of it, with the
	request's arguments), as one request: Frappe keeps a request's replica connection on
	``frappe.local`` and starts each request with a fresh one."""
	try:
		return frappe.call(frappe.get_attr(frappe.override_whitelisted_method(method)), **kwargs)
	finally:
		assert frappe.local.db is getattr(frappe.local, "primary_db", frappe.local.db), "back on the primary"
		for attr in ("replica_db", "primary_db"):
			if hasattr(frappe.local, attr):
				delattr(frappe.local, attr)


@pytest.fixture(scope="module")
def replica(site):
	root_password = os.environ.get("DB_ROOT_PASSWORD") or frappe.conf.get("root_password")
	if not root_password:
		pytest.skip("set DB_ROOT_PASSWORD (the bench MariaDB's root password) to start a replica of it")
	server = MariaDBReplica(
		db_name=frappe.conf.db_name,
		db_password=frappe.conf.db_password,
		root_password=root_password,
		host=frappe.conf.db_host or "127.0.0.1",
		port=int(frappe.conf.db_port or 3306),
	)
	if server.query("select @@log_bin", on_primary=True)[0][0] != 1:
		pytest.skip("the bench's MariaDB keeps no binary log (log_bin): .ci/run turns it on")
	conf = {"read_from_replica": 1, "replica_host": "127.0.0.1", "replica_db_port": server.port}
	try:
		server.start()
		server.seed()
		server.caught_up()
		frappe.local.conf.update(conf)
		yield server
	finally:
		for key in conf:
			frappe.local.conf.pop(key, None)
		server.close()


@pytest.fixture
def committed():
	record = Committed()
	yield record
	record.clean()


def figures() -> dict:
	"""Today's appeals as the workspace and a report show them, each through the desk's call."""
	card = frappe.get_doc("Number Card", "Appeals Today")
	day = nowdate()
	report = desk_call(
		REPORT,
		report_name="Appeal Funnel",
		filters=frappe.as_json({"from_date": day, "to_date": day, "group_by": "Channel"}),
	)
	per_day = desk_call(CHART, chart_name="Appeals per Day", refresh=1)
	by_channel = desk_call(GROUPED, chart_name="Appeals by Channel")
	visits = dict(zip(by_channel["labels"], by_channel["datasets"][0]["values"], strict=True))
	return {
		"report": sum(  # the report's rows; its total row is a list
			row["appeals"]
			for row in report["result"]
			if isinstance(row, dict) and row.get("group") == "Visit"
		),
		"chart": per_day["datasets"][0]["values"][-1],  # «last month, daily»: the last point is today
		"grouped": visits.get("Visit", 0),
		"card": desk_call(CARD, doc=card.as_json(), filters=card.filters_json),
	}


def test_reports_charts_and_cards_read_the_replica_and_writes_go_to_the_primary(replica, committed):
	assert frappe.db.sql("select @@server_id")[0][0] == 1, "the test's own connection is the primary's"
	before = figures()
	replica.stop_applying()
	try:
		appeal = make_appeal(
			appeal_datetime=frappe.utils.now_datetime(), phone="+79167300001", channel="Visit"
		)
		frappe.db.commit()
		on_primary = frappe.db.count("Appeal", {"name": appeal.name})
		assert on_primary == 1, "committed on the primary"
		behind = figures()
		assert behind == before, "the replica has not applied the appeal: the desk's reads do not see it"
	finally:
		replica.resume_applying()
	replica.caught_up()
	after = figures()
	assert {key: after[key] - before[key] for key in after} == {
		"report": 1,
		"chart": 1,
		"grouped": 1,
		"card": 1,
	}

	# between and after the reads on the replica, writes go to the primary and replicate from it
	frappe.db.set_value("Appeal", appeal.name, "client_comment", "written after the replica's reads")
	frappe.db.commit()
	assert frappe.db.sql("select @@server_id")[0][0] == 1
	replica.caught_up()
	assert replica.query(
		f"select client_comment from `{frappe.conf.db_name}`.tabAppeal where name = %s", appeal.name
	) == (("written after the replica's reads",),)
	# the chart's sync time, which Frappe writes once it computes a chart, went to the primary
	assert frappe.db.get_value("Dashboard Chart", "Appeals per Day", "last_synced_on")


def test_the_replica_refuses_the_sites_writes(replica):
	"""What runs on the replica cannot write by mistake: it is read-only to the site's user."""
	import pymysql

	connection = pymysql.connect(
		host="127.0.0.1",
		port=replica.port,
		user=frappe.conf.db_name,
		password=frappe.conf.db_password,
		database=frappe.conf.db_name,
	)
	try:
		with connection.cursor() as cursor:
			cursor.execute("select @@server_id, count(*) from tabAppeal")
			server_id, _count = cursor.fetchone()
			assert server_id == 2
			with pytest.raises(pymysql.err.OperationalError, match="read-only"):
				cursor.execute("update tabAppeal set client_comment = 'x' limit 1")
	finally:
		connection.close()


def test_the_percentage_change_of_a_card_is_read_on_the_replica(replica):
	"""A card's change against its previous interval is read on the replica: a card whose stats
	were turned on only on the primary answers no change there until the replica applies it."""
	card = frappe.get_doc("Number Card", "Appeals Today")
	old = make_appeal(appeal_datetime=frappe.utils.now_datetime(), phone="+79167300002", channel="Visit")
	# older than the card's previous interval (a day): the previous count is at least one
	frappe.db.set_value(
		"Appeal",
		old.name,
		"creation",
		frappe.utils.add_days(frappe.utils.now_datetime(), -3),
		update_modified=False,
	)
	frappe.db.commit()
	try:
		replica.caught_up()
		replica.stop_applying()
		try:
			card.db_set("show_percentage_stats", 1, update_modified=False)
			frappe.db.commit()
			# result 0 against a previous count above 0 is a change of -100 %
			assert desk_call(CARD_CHANGE, doc=card.as_json(), filters="[]", result=0) is None
		finally:
			replica.resume_applying()
		replica.caught_up()
		assert desk_call(CARD_CHANGE, doc=card.as_json(), filters="[]", result=0) == -100.0
	finally:
		card.db_set("show_percentage_stats", 0, update_modified=False)
		frappe.delete_doc("Appeal", old.name, force=True, ignore_permissions=True, delete_permanently=True)
		frappe.db.commit()
