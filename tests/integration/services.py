"""Real services on loopback for the hardening tests, each started by the test that needs it and
stopped in its teardown: a multi-worker gunicorn serving the test site, a throwaway Redis for the
rq queues (the bench's own Redis is shared with other sites and runs: it is never stopped), an rq
worker, and an SMTP server that refuses or accepts mail on demand.

Processes of the site get the throwaway Redis through Frappe's FRAPPE_REDIS_QUEUE environment
variable (it overrides ``redis_queue`` of the site's config), so no config file is edited.
Ports are free ones the system gives, so two runs on one machine never collide.
"""

import os
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.conftest import SITE
from tests.integration.conftest import BENCH, SITES


def free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


def listening(port: int) -> bool:
	with socket.socket() as s:
		return s.connect_ex(("127.0.0.1", port)) == 0


def site_session() -> requests.Session:
	"""Requests to the test site: the bench serves its default site to a request without a site name."""
	session = requests.Session()
	session.headers["X-Frappe-Site-Name"] = SITE
	return session


class ThrowawayRedis:
	"""A redis-server of our own on a free port, without persistence: stop() is the crash of the
	queue's Redis (whatever it held is gone), start() brings an empty one back on the same port."""

	def __init__(self):
		self.port = free_port()
		self.dir = tempfile.mkdtemp(prefix="asc-redis-")
		self.process = None

	@property
	def url(self) -> str:
		return f"redis://127.0.0.1:{self.port}"

	def start(self):
		self.process = subprocess.Popen(
			[
				shutil.which("redis-server") or "redis-server",
				"--port",
				str(self.port),
				"--bind",
				"127.0.0.1",
				"--save",
				"",
				"--appendonly",
				"no",
				"--dir",
				self.dir,
			],
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
		)
		wait_for(lambda: listening(self.port), 20, f"redis-server on port {self.port}")

	def stop(self):
		if self.process and self.process.poll() is None:
			self.process.kill()
			self.process.wait(timeout=20)
		self.process = None
		wait_for(lambda: not listening(self.port), 20, f"redis-server on port {self.port} to stop")

	def client(self):
		import redis

		return redis.Redis(port=self.port, socket_timeout=5)

	def close(self):
		self.stop()
		shutil.rmtree(self.dir, ignore_errors=True)


def wait_for(condition, seconds: float, what: str):
	deadline = time.time() + seconds
	while time.time() < deadline:
		if condition():
			return
		time.sleep(0.2)
	raise TimeoutError(f"waited {seconds} s for {what}")


def site_env(redis_queue: str | None = None) -> dict:
	env = dict(os.environ)
	if redis_queue:
		env["FRAPPE_REDIS_QUEUE"] = redis_queue
	return env


class Server:
	"""A process of the site the tests start, its output kept in a temporary file."""

	process: subprocess.Popen
	log: "tempfile._TemporaryFileWrapper"

	def output(self) -> str:
		return Path(self.log.name).read_text(errors="replace")

	def stop(self):
		if self.process.poll() is None:
			self.process.terminate()
			try:
				self.process.wait(timeout=30)
			except subprocess.TimeoutExpired:
				self.process.kill()
				self.process.wait(timeout=10)
		self.log.close()
		Path(self.log.name).unlink(missing_ok=True)


class Gunicorn(Server):
	"""The site behind gunicorn as in production: several worker processes, each with threads."""

	def __init__(self, workers: int = 3, threads: int = 4, redis_queue: str | None = None):
		self.port = free_port()
		self.log = tempfile.NamedTemporaryFile(prefix="asc-gunicorn-", suffix=".log", delete=False)
		self.process = subprocess.Popen(
			[
				str(BENCH / "env" / "bin" / "gunicorn"),
				"--bind",
				f"127.0.0.1:{self.port}",
				"--workers",
				str(workers),
				"--worker-class",
				"gthread",
				"--threads",
				str(threads),
				"--timeout",
				"120",
				"--graceful-timeout",
				"10",
				"--preload",
				"frappe.app:application",
			],
			cwd=SITES,
			env=site_env(redis_queue),
			stdout=self.log,
			stderr=subprocess.STDOUT,
		)
		self.url = f"http://127.0.0.1:{self.port}"
		try:
			wait_for(self.answers, 60, "gunicorn to answer")
		except TimeoutError:
			self.stop()
			raise

	def answers(self) -> bool:
		if self.process.poll() is not None:
			raise RuntimeError("gunicorn exited: " + self.output()[-2000:])
		try:
			return site_session().get(f"{self.url}/api/method/ping", timeout=2).ok
		except requests.ConnectionError:
			return False


class Worker(Server):
	"""A real rq worker of the bench (`bench worker`) for the whole of a test's server: the webhooks
	of calls and chats are filed by a background job (auto_service_crm/intake_queue.py), and their
	assignees told by one of the default queue; it serves both, as a site's short worker does
	(`bench worker --queue short,default` in the bench's supervisor config)."""

	def __init__(self, redis_queue: str | None = None, queue: str = "short,default"):
		self.log = tempfile.NamedTemporaryFile(prefix="asc-worker-", suffix=".log", delete=False)
		# as in production: under CI Frappe's worker would run its jobs as tests (mail sent at once)
		env = {k: v for k, v in site_env(redis_queue).items() if k != "CI"}
		self.process = subprocess.Popen(
			[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "worker", "--queue", queue],
			cwd=SITES,
			env=env,
			stdout=self.log,
			stderr=subprocess.STDOUT,
		)


@contextmanager
def lingering(seconds: float):
	"""A filing job lingers this long without a delivery (the site's config, read by each job)."""
	import frappe
	from frappe.installer import update_site_config

	from auto_service_crm.intake_queue import LINGER_CONFIG

	before = frappe.conf.get(LINGER_CONFIG)
	update_site_config(LINGER_CONFIG, seconds)
	try:
		yield
	finally:
		update_site_config(LINGER_CONFIG, before if before is not None else "None")


@contextmanager
def site_secrets(secrets: dict):
	"""Auto Service Settings' secrets set (committed: the servers read them) and put back after."""
	import frappe

	settings = frappe.get_single("Auto Service Settings")
	previous = {field: settings.get_password(field, raise_exception=False) for field in secrets}
	settings.update(secrets)
	settings.save()
	frappe.db.commit()
	try:
		yield
	finally:
		frappe.db.rollback()
		settings = frappe.get_single("Auto Service Settings")
		settings.update(previous)
		settings.save()
		frappe.db.commit()


def run_worker(redis_queue: str, queue: str = "short", timeout: int = 300) -> subprocess.CompletedProcess:
	"""A real rq worker of the bench (`bench worker --burst`) on ``redis_queue``: it runs what waits
	there and exits."""
	return subprocess.run(
		[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "worker", "--queue", queue, "--burst"],
		cwd=SITES,
		env=site_env(redis_queue),
		capture_output=True,
		text=True,
		timeout=timeout,
	)


def enqueue_job(redis_queue: str, method: str, queue: str = "short", **kwargs) -> None:
	"""frappe.enqueue of ``method`` from a process of the site on ``redis_queue``, as the site's own
	code enqueues its jobs (this process's connection is to the bench's Redis)."""
	import json

	script = (
		"import json, sys, frappe\n"
		f"frappe.init(site={SITE!r}, sites_path='.')\n"
		"frappe.connect()\n"
		"frappe.enqueue(sys.argv[1], queue=sys.argv[2], **json.loads(sys.argv[3]))\n"
		"frappe.destroy()\n"
	)
	done = subprocess.run(
		[sys.executable, "-c", script, method, queue, json.dumps(kwargs)],
		cwd=SITES,
		env=site_env(redis_queue),
		capture_output=True,
		text=True,
		timeout=120,
	)
	if done.returncode:
		raise RuntimeError(done.stderr[-3000:])


class LoopbackSMTP:
	"""A small SMTP server on loopback. While ``accepting`` is False it greets every connection with
	421 (service not available: a temporary failure, as a mail server that is down for maintenance
	answers); then it takes every message into ``messages`` as (sender, recipients, data)."""

	def __init__(self):
		self.accepting = False
		self.refused = 0
		self.messages: list[tuple[str, list[str], bytes]] = []
		smtp = self

		class Session(socketserver.StreamRequestHandler):
			def reply(self, line: str):
				self.wfile.write(line.encode() + b"\r\n")

			def handle(self):
				if not smtp.accepting:
					smtp.refused += 1
					self.reply("421 4.3.2 loopback: service not available, try again later")
					return
				self.reply("220 loopback ESMTP")
				sender, recipients = "", []
				while line := self.rfile.readline():
					command = line.decode("utf-8", "replace").strip()
					verb = command[:4].upper()
					if verb == "EHLO":
						self.reply("250-loopback")
						self.reply("250 8BITMIME")
					elif verb in ("HELO", "NOOP"):
						self.reply("250 OK")
					elif verb == "RSET":
						sender, recipients = "", []
						self.reply("250 OK")
					elif verb == "MAIL":
						sender, recipients = command.split(":", 1)[1].strip(" <>"), []
						self.reply("250 OK")
					elif verb == "RCPT":
						recipients.append(command.split(":", 1)[1].strip(" <>"))
						self.reply("250 OK")
					elif verb == "DATA":
						self.reply("354 end data with <CR><LF>.<CR><LF>")
						lines = []
						while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
							lines.append(data[1:] if data.startswith(b"..") else data)
						smtp.messages.append((sender, recipients, b"".join(lines)))
						self.reply("250 OK queued")
					elif verb == "QUIT":
						self.reply("221 bye")
						return
					else:
						self.reply("502 command not implemented")

		self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Session)
		self.server.daemon_threads = True
		self.port = self.server.server_address[1]
		self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
		self.thread.start()

	def close(self):
		self.server.shutdown()
		self.server.server_close()


class MariaDBReplica:
	"""A second MariaDB server on a free loopback port that replicates the site's database from the
	bench's server (the primary), as a station's read replica does: a datadir of its own in a temp
	dir, ``--server-id=2``, ``--read-only`` (only replication writes), replicating only the site's
	database. It is seeded by a dump of that database taken at a GTID position of the primary's binary
	log, then follows the log from there as a replication user made for it on the primary (dropped
	on close). The site's database user is made on it with the primary's password and rights, so
	Frappe connects to it with the site's own credentials.

	The primary needs a binary log (``log_bin``; ``.ci/run`` turns it on) and its root password."""

	def __init__(self, db_name: str, db_password: str, root_password: str, host: str, port: int):
		self.db_name, self.db_password = db_name, db_password
		self.primary = {"host": host, "port": port, "user": "root", "password": root_password}
		self.port = free_port()
		self.dir = None  # made by start()
		self.socket = None
		self.repl_user = f"asc_repl_{os.getpid()}"
		self.repl_password = os.urandom(12).hex()
		self.process = None

	def connect_primary(self):
		import pymysql

		return pymysql.connect(**self.primary, autocommit=True)

	def connect(self):
		"""A root connection to the replica, through its own socket."""
		import pymysql

		return pymysql.connect(unix_socket=self.socket, user="root", autocommit=True)

	def query(self, sql: str, *args, on_primary: bool = False):
		connection = self.connect_primary() if on_primary else self.connect()
		try:
			with connection.cursor() as cursor:
				cursor.execute(sql, args or None)
				return cursor.fetchall()
		finally:
			connection.close()

	def start(self):
		self.dir = Path(tempfile.mkdtemp(prefix="asc-replica-"))
		self.socket = str(self.dir / "mysqld.sock")
		datadir = self.dir / "data"
		subprocess.run(
			[
				shutil.which("mariadb-install-db") or "mariadb-install-db",
				"--no-defaults",
				f"--datadir={datadir}",
				"--auth-root-authentication-method=normal",
				"--skip-test-db",
			],
			check=True,
			capture_output=True,
			timeout=120,
		)
		self.process = subprocess.Popen(
			[
				shutil.which("mariadbd") or "/usr/sbin/mariadbd",
				"--no-defaults",
				"--basedir=/usr",
				f"--datadir={datadir}",
				f"--socket={self.socket}",
				f"--port={self.port}",
				"--bind-address=127.0.0.1",
				f"--pid-file={self.dir / 'mysqld.pid'}",
				f"--log-error={self.dir / 'error.log'}",
				"--server-id=2",
				"--read-only",
				f"--replicate-do-db={self.db_name}",
				"--skip-name-resolve",
				"--character-set-server=utf8mb4",
				"--collation-server=utf8mb4_unicode_ci",
				"--innodb-buffer-pool-size=128M",
			],
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
		)
		wait_for(lambda: listening(self.port), 60, f"the replica mariadbd on port {self.port}")

	def seed(self):
		"""Copy the site's database at a position of the primary's log and replicate from there."""
		if self.query("select @@log_bin", on_primary=True)[0][0] != 1:
			raise RuntimeError("the primary MariaDB keeps no binary log (log_bin): see .ci/run")
		self.query(
			f"create user '{self.repl_user}'@'127.0.0.1' identified by %s",
			self.repl_password,
			on_primary=True,
		)
		self.query(f"grant replication slave on *.* to '{self.repl_user}'@'127.0.0.1'", on_primary=True)
		dump = subprocess.Popen(
			[
				shutil.which("mariadb-dump") or "mariadb-dump",
				f"--host={self.primary['host']}",
				f"--port={self.primary['port']}",
				"--user=root",
				"--single-transaction",
				"--gtid",
				"--master-data=1",  # SET GLOBAL gtid_slave_pos to the dump's position
				"--databases",
				self.db_name,
			],
			stdout=subprocess.PIPE,
			stderr=subprocess.PIPE,
			env={**os.environ, "MYSQL_PWD": self.primary["password"]},
		)
		load = subprocess.run(
			[shutil.which("mariadb") or "mariadb", f"--socket={self.socket}", "--user=root"],
			stdin=dump.stdout,
			capture_output=True,
			timeout=600,
		)
		dump.stdout.close()
		dump_error = dump.stderr.read()
		if dump.wait(timeout=60) or load.returncode:
			raise RuntimeError(f"seeding the replica failed: {dump_error[-2000:]} {load.stderr[-2000:]}")
		self.query(f"create user '{self.db_name}'@'%%' identified by %s", self.db_password)
		self.query(f"grant all privileges on `{self.db_name}`.* to '{self.db_name}'@'%'")
		self.query(
			"change master to master_host=%s, master_port=%s, master_user=%s, master_password=%s, "
			"master_use_gtid=slave_pos",
			self.primary["host"],
			self.primary["port"],
			self.repl_user,
			self.repl_password,
		)
		self.query("start slave")

	def caught_up(self, seconds: float = 60):
		"""Wait until the replica has applied everything the primary has committed so far."""
		position = self.query("select @@gtid_binlog_pos", on_primary=True)[0][0]
		if self.query("select master_gtid_wait(%s, %s)", position, seconds)[0][0] != 0:
			status = self.query("show slave status")
			raise TimeoutError(f"the replica did not reach {position} in {seconds} s: {status}")

	def stop_applying(self):
		"""The replica falls behind: it still receives the primary's log but applies none of it."""
		self.query("stop slave sql_thread")

	def resume_applying(self):
		self.query("start slave sql_thread")

	def close(self):
		if self.process and self.process.poll() is None:
			try:
				self.query("stop slave")
			except Exception:
				pass
			self.process.terminate()
			try:
				self.process.wait(timeout=60)
			except subprocess.TimeoutExpired:
				self.process.kill()
				self.process.wait(timeout=20)
		self.process = None
		try:
			self.query(f"drop user if exists '{self.repl_user}'@'127.0.0.1'", on_primary=True)
		finally:
			if self.dir:
				shutil.rmtree(self.dir, ignore_errors=True)
