"""Exec probe for Celery: `manage.py celery_alive --role worker|beat`, exit 0 alive, 1 not.

worker: the worker on this host (celery@<hostname>, the name Celery gives it by default)
must answer a control ping within --timeout seconds; `--any` accepts any worker on the
broker (for a check from outside the worker's pod or container).
beat: beat's heartbeat file (saas.beat) must be younger than --max-age seconds.
"""

import socket

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Exits 0 if this host's Celery worker answers a ping, or if beat's heartbeat is fresh; 1 otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", choices=["worker", "beat"], required=True)
        parser.add_argument(
            "--timeout", type=float, default=5.0, help="seconds to wait for the worker's answer"
        )
        parser.add_argument(
            "--any", action="store_true", help="any worker on the broker, not only this host's"
        )
        parser.add_argument("--node", help="the worker's node name (default celery@<hostname>)")
        parser.add_argument(
            "--max-age",
            type=float,
            default=None,
            help="seconds after which beat's heartbeat counts as stale (default PARKHUB_BEAT_HEARTBEAT_MAX_AGE)",
        )

    def handle(self, *args, role, timeout, any, node, max_age, **options):
        if role == "worker":
            self._worker(timeout=timeout, node=None if any else (node or f"celery@{socket.gethostname()}"))
        else:
            self._beat(max_age=settings.PARKHUB_BEAT_HEARTBEAT_MAX_AGE if max_age is None else max_age)

    def _worker(self, *, timeout: float, node: str | None):
        from saas.celery import app

        try:
            replies = app.control.ping(destination=[node] if node else None, timeout=timeout)
        except Exception as error:
            raise CommandError(
                f"the Celery broker did not answer ({type(error).__name__}: {error}); check REDIS_URL / CELERY_BROKER_URL"
            ) from None
        answered = [name for reply in replies for name in reply]
        if not answered:
            raise CommandError(
                f"no Celery worker {node or 'on the broker'} answered a ping within {timeout:g} s"
            )
        self.stdout.write(f"alive: {', '.join(sorted(answered))}")

    def _beat(self, *, max_age: float):
        from saas.beat import heartbeat_age, heartbeat_path

        age = heartbeat_age()
        if age is None:
            raise CommandError(
                f"beat has written no heartbeat at {heartbeat_path()}: is it running with saas.beat.HeartbeatScheduler?"
            )
        if age > max_age:
            raise CommandError(
                f"beat's last heartbeat is {age:.0f} s old (more than {max_age:g} s): its loop is stuck or it stopped"
            )
        self.stdout.write(f"alive: beat ticked {age:.1f} s ago")
