"""What the benchmark scripts share: connecting to a site of the bench, counting queries, printing tables.

Not a benchmark itself. The scripts run with the bench's Python from the bench folder, e.g.
``env/bin/python apps/auto_service_crm/benchmarks/history_queries.py --site asc-bench.localhost``.
"""

import argparse
import os
import platform
import re
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import frappe

BENCH = Path(frappe.__file__).resolve().parents[3]
SITES = BENCH / "sites"

# The webhook secrets the benchmarks set on their site (never a production site's).
SECRETS = {
	"telephony_token": "bench-tel-secret",
	"website_form_token": "bench-form-secret",
	"mobile_app_token": "bench-app-secret",
	"telegram_secret_token": "bench-tg-secret",
}
TRACKED_NUMBER = "+7 495 100-00-00"  # the station's line the calls dial: an Ad Channel's tracked number
UTM_SOURCE = "yandex"


def parser(doc: str) -> argparse.ArgumentParser:
	p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
	p.add_argument("--site", required=True, help="the benchmark site (its data is changed: not production)")
	return p


def connect(site: str) -> None:
	sys.stdout.reconfigure(line_buffering=True)  # progress shows as it happens, also into a file
	os.chdir(SITES)
	frappe.init(site=site, sites_path=str(SITES))
	frappe.connect()
	frappe.set_user("Administrator")
	frappe.flags.mute_emails = True
	# a delivery filed in this process is filed in its transaction (rolled back), not by a job
	frappe.flags.asc_file_inline = True


def machine() -> str:
	cores = os.cpu_count()
	mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
	db = frappe.db.sql("SELECT VERSION(), @@innodb_buffer_pool_size")[0]
	return (
		f"{cores} cores, {mem_gib:.0f} GiB, {platform.python_implementation()} {platform.python_version()}, "
		f"frappe {frappe.__version__}, MariaDB {db[0]} (buffer pool {int(db[1]) // 2**20} MiB)"
	)


def prepare_site() -> None:
	"""The webhook secrets and a tracked Ad Channel (with the UTM source of the forms), committed."""
	settings = frappe.get_single("Auto Service Settings")
	if any(settings.get_password(k, raise_exception=False) != v for k, v in SECRETS.items()):
		settings.update(SECRETS)
		settings.save()
	if not frappe.db.exists("Ad Channel", "Bench Yandex Direct"):
		frappe.get_doc(
			{
				"doctype": "Ad Channel",
				"ad_channel_name": "Bench Yandex Direct",
				"utm_source": UTM_SOURCE,
				"phone_numbers": [{"phone_number": TRACKED_NUMBER}],
			}
		).insert()
	frappe.db.commit()


def percentile(values: list[float], p: float) -> float:
	"""The p-th percentile (0..100), linear between the closest ranks."""
	if not values:
		return float("nan")
	ordered = sorted(values)
	k = (len(ordered) - 1) * p / 100
	low = int(k)
	high = min(low + 1, len(ordered) - 1)
	return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary_ms(seconds: list[float]) -> dict:
	ms = [s * 1000 for s in seconds]
	return {
		"n": len(ms),
		"mean": statistics.fmean(ms),
		"p50": percentile(ms, 50),
		"p95": percentile(ms, 95),
	}


def print_table(headers: list[str], rows: list[list], title: str | None = None) -> None:
	if title:
		print(f"\n{title}")
	cells = [[fmt(c) for c in row] for row in rows]
	widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
	line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
	print(line)
	print("  ".join("-" * w for w in widths))
	for row in cells:
		print("  ".join(c.rjust(w) if is_number(c) else c.ljust(w) for c, w in zip(row, widths, strict=True)))


def fmt(value) -> str:
	if isinstance(value, float):
		return f"{value:.2f}" if abs(value) < 1000 else f"{value:.0f}"
	return "" if value is None else str(value)


def is_number(text: str) -> bool:
	return bool(re.fullmatch(r"-?[\d.,]+x?", text))


def verdict(ratio: float, target: float) -> str:
	return f"{ratio:.2f}x (target <= {target}x): {'MET' if ratio <= target else 'MISSED'}"


class QueryLog:
	"""Every query sent through frappe.db.sql while active: the way FrappeTestCase.assertQueryCount
	counts them (it wraps the database class's sql method; query builder queries go through it too)."""

	def __init__(self):
		self.queries: list[str] = []

	@contextmanager
	def active(self):
		original = frappe.db.__class__.sql
		log = self.queries

		def counting_sql(db, *args, **kwargs):
			result = original(db, *args, **kwargs)
			log.append(db.last_query)
			return result

		frappe.db.__class__.sql = counting_sql
		try:
			yield self
		finally:
			frappe.db.__class__.sql = original

	def __len__(self):
		return len(self.queries)


def normalize_query(query: str) -> str:
	"""The query's shape: literals replaced, so the same statement with other values counts once."""
	query = re.sub(r"'(?:[^'\\]|\\.)*'", "?", str(query))
	query = re.sub(r"\b\d+(\.\d+)?\b", "?", query)
	return re.sub(r"\s+", " ", query).strip()


@contextmanager
def stopwatch(out: list):
	start = time.perf_counter()
	yield
	out.append(time.perf_counter() - start)
