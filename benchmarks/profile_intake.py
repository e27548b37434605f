"""Where the time of filing one appeal goes: pyinstrument over the whole webhook, in this process.

Files deliveries of one kind (as queries_per_appeal.py does: the endpoint with a real werkzeug
request, rolled back after each) under pyinstrument, after two unprofiled ones to warm the caches,
and prints the call tree; with --issue, profiles a bare ERPNext Issue insert the same way (as REST
would insert it: ``frappe.get_doc(...).insert()`` as the API user) for comparison. Needs
pyinstrument in the bench's env (``env/bin/pip install pyinstrument``). With --kept-only, a call or
chat webhook is profiled as it answers on a site with rq workers: the delivery kept, no filing,
and no job asked for (the filing jobs' part is ``--kind`` without it).

    env/bin/python apps/auto_service_crm/benchmarks/profile_intake.py --site asc-bench.localhost \\
        --kind call --repeat 20
"""

from _bench import connect, parser, prepare_site
from queries_per_appeal import ENDPOINT_OF, file_once, known_phone

import frappe


def insert_issue(n: int) -> None:
	frappe.set_user("Administrator")
	try:
		frappe.get_doc(
			{"doctype": "Issue", "subject": f"Profiled issue {n}", "description": "Стучит подвеска"}
		).insert()
	finally:
		frappe.db.rollback()


def keep_only() -> None:
	"""The webhook answers «received» once the payload is kept, as with rq workers running; no job
	is asked for, and each delivery is rolled back (``file_once``)."""
	from auto_service_crm import api, intake_queue

	frappe.flags.asc_file_inline = False
	api.files_inline = lambda: False
	intake_queue.ask_for_filing = lambda thread: True
	frappe.db.commit = lambda: None  # the delivery stays in this transaction, rolled back


def main():
	from pyinstrument import Profiler

	p = parser(__doc__)
	p.add_argument("--kind", default="call", choices=list(ENDPOINT_OF), help="appeal kind (default call)")
	p.add_argument("--repeat", type=int, default=20, help="deliveries profiled (default 20)")
	p.add_argument("--issue", action="store_true", help="profile a bare Issue insert instead")
	p.add_argument("--kept-only", action="store_true", help="the webhook's keeping alone (call, chat)")
	args = p.parse_args()
	connect(args.site)
	try:
		prepare_site()
		phone = known_phone()
		if args.kept_only:
			keep_only()
		answered = ("received",) if args.kept_only else ("processed",)
		one = (
			(lambda n: insert_issue(n))
			if args.issue
			else (lambda n: file_once(args.kind, n, phone, answered=answered))
		)
		for n in range(2):
			one(n)
		profiler = Profiler(interval=0.0005)
		profiler.start()
		for n in range(args.repeat):
			one(100 + n)
		profiler.stop()
		what = (
			"Issue insert"
			if args.issue
			else f"{args.kind} webhook" + (", kept only" if args.kept_only else "")
		)
		print(f"{args.repeat} x {what}: {profiler.last_session.duration / args.repeat * 1000:.1f} ms each")
		print(profiler.output_text(unicode=True, color=False, show_all=False, time="percent_of_total"))
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main()
