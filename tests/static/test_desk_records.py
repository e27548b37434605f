"""Static checks of the desk records the app ships: number cards, dashboard charts and the
workspace name real DocTypes, fields, reports and each other, and their words are translated."""

import json

import pytest

from tests.static.app_files import MODULE, MODULE_DIR, doctypes, scrub
from tests.static.test_app_files import read_translations

# Fields ERPNext adds to a DocType its Service Level Agreement applies to.
SLA_FIELDS = {
	"service_level_agreement",
	"response_by",
	"resolution_by",
	"agreement_status",
	"first_responded_on",
}
STANDARD_FIELDS = {"name", "owner", "creation", "modified", "modified_by", "docstatus"}


def records(folder: str) -> dict[str, dict]:
	out = {}
	for path in sorted((MODULE_DIR / folder).glob("*/*.json")):
		data = json.loads(path.read_text(encoding="utf-8"))
		assert path.stem == path.parent.name == scrub(data["name"]), path
		out[data["name"]] = data
	return out


CARDS = records("number_card")
CHARTS = records("dashboard_chart")
REPORTS = records("report")
[WORKSPACE] = records("workspace").values()


def fields_of(doctype: str) -> set[str]:
	return {f["fieldname"] for f in doctypes()[doctype]["fields"]} | STANDARD_FIELDS | SLA_FIELDS


def filter_fields(record: dict) -> list[tuple[str, str]]:
	rows = json.loads(record.get("filters_json") or "[]") + json.loads(
		record.get("dynamic_filters_json") or "[]"
	)
	return [(row[0], row[1]) for row in rows]


@pytest.mark.parametrize("name", sorted(CARDS | CHARTS))
def test_card_or_chart_counts_appeals_by_real_fields(name):
	record = {**CARDS, **CHARTS}[name]
	assert (record["module"], record["is_standard"], record["is_public"]) == (MODULE, 1, 1)
	doctype = record["document_type"]
	assert doctype in doctypes(), f"{name}: {doctype} is not a DocType of the app"
	named = [field for dt, field in filter_fields(record) if dt == doctype]
	named += [record[key] for key in ("based_on", "group_by_based_on") if record.get(key)]
	assert named, f"{name} filters or groups by nothing"
	assert set(named) <= fields_of(doctype), f"{name}: unknown fields {set(named) - fields_of(doctype)}"


SOURCES = records("dashboard_chart_source")


def test_charts_are_drawn_the_way_frappe_draws_them():
	for name, chart in CHARTS.items():
		assert chart["chart_type"] in ("Count", "Sum", "Average", "Group By", "Custom"), name
		if chart["chart_type"] == "Custom":  # the app's source, counting as Frappe's «Group By» does
			assert chart["source"] in SOURCES and chart["group_by_based_on"], name
		assert chart["type"] in ("Line", "Bar", "Percentage", "Pie", "Donut", "Heatmap"), name
		if chart["timeseries"]:
			assert chart["time_interval"] and chart["timespan"] and chart["based_on"], name


def test_workspace_shows_every_card_and_chart_it_lists():
	content = json.loads(WORKSPACE["content"])
	blocks = {(block["type"], next(iter(block["data"].values()))) for block in content}
	for row in WORKSPACE["number_cards"]:
		assert row["number_card_name"] in CARDS and ("number_card", row["number_card_name"]) in blocks
	for row in WORKSPACE["charts"]:
		assert row["chart_name"] in CHARTS and ("chart", row["chart_name"]) in blocks
	assert {row["chart_name"] for row in WORKSPACE["charts"]} == set(CHARTS), "a chart not on the workspace"
	shortcuts = {row["label"] for row in WORKSPACE["shortcuts"]}
	assert {name for kind, name in blocks if kind == "shortcut"} <= shortcuts
	cards = {row["label"] for row in WORKSPACE["links"] if row["type"] == "Card Break"}
	assert {name for kind, name in blocks if kind == "card"} <= cards


def test_workspace_links_lead_somewhere():
	for row in WORKSPACE["shortcuts"] + [r for r in WORKSPACE["links"] if r["type"] == "Link"]:
		kind = row.get("type") if row.get("type") != "Link" else row["link_type"]
		if kind == "Report":
			assert row["link_to"] in REPORTS, row
		elif kind == "DocType" and row["link_to"] not in ("Customer", "Contact"):
			assert row["link_to"] in doctypes(), row
		elif kind == "URL":
			assert row["url"].startswith("/app/"), row


def test_desk_words_are_in_russian():
	ru = read_translations("ru")
	words = {row["label"] for row in WORKSPACE["shortcuts"] + WORKSPACE["links"]}
	words |= {card["label"] for card in CARDS.values()} | set(CHARTS) | set(REPORTS)
	words.add(WORKSPACE["label"])
	missing = sorted(words - set(ru))
	assert not missing, "untranslated: " + "; ".join(missing)


def test_waiting_time_bands_are_in_russian():
	from auto_service_crm.rules.waiting_time import UNKNOWN_WAIT, WAIT_BANDS

	ru = read_translations("ru")
	missing = sorted(({label for _bound, label in WAIT_BANDS} | {UNKNOWN_WAIT}) - set(ru))
	assert not missing, "untranslated: " + "; ".join(missing)
