"""A real SMTP server in this process (aiosmtpd) and a real prefork Celery worker that sends to it.

The server can refuse (451, as a greylisting or overloaded server does), go away (connection
refused), hang (accept the message and never answer) or accept. The worker consumes a queue
of its own, so it never takes the tasks of the session's file-mail worker; the mail tasks
are pointed at that queue while a test uses it.
"""

import asyncio
import subprocess
import sys
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from ..conftest import ROOT, free_port, process_env

# The worker stops any task after 3 s (soft) / 6 s (hard); it retries mail after about 1 s, 2 s, 4 s.
SOFT_LIMIT_SECONDS = 3


class SmtpHandler:
    def __init__(self):
        self.refuse = False  # answer 451 to every message while set
        self.hang_seconds = 0.0  # take the message and answer nothing for this long
        self.lock = threading.Lock()
        self.delivered: list[tuple[list[str], str]] = []
        self.refused = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("no-such-mailbox"):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hang_seconds:
            await asyncio.sleep(self.hang_seconds)
            return "451 4.3.0 Too slow, try again"
        if self.refuse:
            with self.lock:
                self.refused += 1
            return "451 4.7.1 Greylisted, try again later"
        with self.lock:
            self.delivered.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"

    def messages_to(self, address: str) -> list[str]:
        with self.lock:
            return [content for rcpts, content in self.delivered if address in rcpts]


class SmtpServer:
    """aiosmtpd on a fixed free port, which can be stopped (connection refused) and started again."""

    def __init__(self):
        self.port = free_port()
        self.handler = SmtpHandler()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(scope="module")
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _smtp_server_reset(request):
    yield
    if "smtp_server" in request.fixturenames:
        server = request.getfixturevalue("smtp_server")
        server.handler.refuse = False
        server.handler.hang_seconds = 0
        if server.controller is None:
            server.start()


MAIL_QUEUE = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-smtp"


@pytest.fixture(scope="module")
def smtp_worker(django_db_setup, django_db_blocker, smtp_server, tmp_path_factory):
    """A prefork worker (time limits need it) on MAIL_QUEUE whose mail goes to `smtp_server`."""
    log = tmp_path_factory.mktemp("smtp-worker") / "worker.log"
    with django_db_blocker.unblock():
        env = process_env(
            EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}",
            EMAIL_TIMEOUT="30",
            PARKHUB_MAIL_RETRY_BACKOFF="1",
            PARKHUB_MAIL_MAX_RETRIES="6",
            CELERY_TASK_SOFT_TIME_LIMIT=str(SOFT_LIMIT_SECONDS),
            CELERY_TASK_TIME_LIMIT=str(SOFT_LIMIT_SECONDS * 2),
            CELERY_TASK_DEFAULT_QUEUE=MAIL_QUEUE,
        )
    env.pop("EMAIL_FILE_PATH", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "saas", "worker", "--pool=prefork", "--concurrency=1",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", MAIL_QUEUE],
        cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"the SMTP Celery worker did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    proc.log_path = log
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def mail_tasks_to_smtp_worker(smtp_worker):
    """Point the mail tasks this process queues at the SMTP worker's queue (a retry keeps its queue)."""
    from every_schema.accounts.tasks import invitation_send_task
    from tenant_schema.notifications.tasks import notification_email_task

    tasks = [invitation_send_task, notification_email_task]
    saved = [(task.queue if hasattr(task, "queue") else None, task._exec_options) for task in tasks]
    for task in tasks:
        task.queue = MAIL_QUEUE
        task._exec_options = None
    yield smtp_worker
    for task, (queue, exec_options) in zip(tasks, saved, strict=True):
        task.queue = queue
        task._exec_options = exec_options
