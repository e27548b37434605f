"""Which command lines preload the modules of filing, and that the app's preloaded modules exist."""

from pathlib import Path

import pytest

from auto_service_crm import commands

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
	"argv",
	[
		["bench_helper.py", "frappe", "worker", "--queue", "short,default"],
		["bench_helper.py", "frappe", "--site", "a.localhost", "worker"],
		["bench_helper.py", "frappe", "worker-pool", "--num-workers", "2"],
	],
)
def test_a_worker_preloads(argv):
	assert commands.is_worker(argv)


@pytest.mark.parametrize(
	"argv",
	[
		["bench_helper.py", "frappe", "--site", "a.localhost", "migrate"],
		["bench_helper.py", "frappe", "serve", "--port", "8000"],
		["bench_helper.py"],
		["worker"],  # the program's own name is no command
	],
)
def test_other_commands_do_not(argv):
	assert not commands.is_worker(argv)


@pytest.mark.parametrize("name", [n for n in commands.PRELOAD if n.startswith("auto_service_crm.")])
def test_each_preloaded_module_of_the_app_exists(name):
	path = ROOT.joinpath(*name.split("."))
	assert path.with_suffix(".py").is_file() or (path / "__init__.py").is_file(), name


def test_a_command_named_like_an_argument_is_no_worker():
	assert not commands.is_worker(["bench_helper.py", "frappe", "execute", "worker"])
	assert not commands.is_worker(["pytest", "-k", "worker"])
