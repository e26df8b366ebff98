"""A real PgBouncer (Debian's package) in front of the test database, in session mode.

Session pooling is the mode ParkHub supports (docs/operations.md, "Connections"): a client
keeps one server connection for its whole session, so the `search_path` django-tenants sets
stays with the client, and `DISCARD ALL` clears it before the server connection serves the
next client. The pool is kept small so that server connections are reused across clients,
and so across tenants, which is where a leak would show.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


@dataclass
class RunningPgBouncer:
    port: int
    process: subprocess.Popen
    workdir: Path
    server: tuple = ()  # the PostgreSQL server behind it (host, port), for going direct again

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        # SIGINT: PgBouncer's own shutdown (closes its server connections, so the test
        # database can be dropped); SIGKILL if it does not go.
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def log(self) -> str:
        path = self.workdir / "pgbouncer.log"
        return path.read_text() if path.exists() else ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pgbouncer_start(*, server_host: str, server_port: int, user: str, pool_size: int = 3) -> RunningPgBouncer:
    """Start PgBouncer on a free port, every database forwarded to the server as `user`."""
    if not os.path.exists(PGBOUNCER):
        raise RuntimeError(
            "pgbouncer is not installed: `make test` installs Debian's package (target pgbouncer)"
        )
    workdir = Path(tempfile.mkdtemp(prefix="parkhub-pgbouncer-"))
    port = _free_port()
    (workdir / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={server_host} port={server_port} user={user}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = any
pool_mode = session
server_reset_query = DISCARD ALL
default_pool_size = {pool_size}
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,options
logfile = {workdir}/pgbouncer.log
pidfile = {workdir}/pgbouncer.pid
admin_users = {user}
"""
    )
    command = [PGBOUNCER, str(workdir / "pgbouncer.ini")]
    if os.geteuid() == 0:
        # PgBouncer refuses to run as root; Debian's package brings the postgres user.
        shutil.chown(workdir, user="postgres")
        for file in workdir.iterdir():
            shutil.chown(file, user="postgres")
        command = [PGBOUNCER, "-u", "postgres", str(workdir / "pgbouncer.ini")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    running = RunningPgBouncer(port=port, process=process, workdir=workdir)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {running.log()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return running
        except OSError:
            time.sleep(0.1)
    running.stop()
    raise RuntimeError("pgbouncer did not start listening in 15 s")
