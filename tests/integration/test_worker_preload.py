"""An rq worker started by Frappe's CLI has the modules of filing imported before it forks a job's
process (``auto_service_crm/commands.py``), with no site initialised; other commands do not."""

import json
import subprocess
import sys

from tests.integration.conftest import SITES

# Frappe's CLI as `bench worker` runs it, up to the command: the apps' `commands` modules imported
PROBE = """
import json, sys
sys.argv = ["bench_helper.py", "frappe", *sys.argv[1:]]
from frappe.utils import bench_helper
bench_helper.get_app_groups()
from auto_service_crm import commands
print(json.dumps({"loaded": [m for m in commands.PRELOAD if m in sys.modules],
                  "failed": commands.preload() if commands.is_worker(sys.argv) else None}))
"""


def cli_modules(*args):
	run = subprocess.run(
		[sys.executable, "-c", PROBE, *args], cwd=SITES, capture_output=True, text=True, timeout=120
	)
	assert run.returncode == 0, run.stderr[-2000:]
	return json.loads(run.stdout.strip().splitlines()[-1])


def test_a_worker_starts_with_the_modules_of_filing_imported():
	from auto_service_crm.commands import PRELOAD

	seen = cli_modules("worker", "--queue", "short")
	assert seen["failed"] == [], "every preloaded module imports without a site"
	assert seen["loaded"] == list(PRELOAD)


def test_another_command_imports_none_of_them():
	seen = cli_modules("--site", "all", "migrate")
	assert "erpnext.telephony.doctype.call_log.call_log" not in seen["loaded"]
	assert "auto_service_crm.api" not in seen["loaded"]
