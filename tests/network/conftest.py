"""Fixtures of the handoff tests: a broker queue of their own, read back from Redis, and a fresh key."""

import base64
import json
import uuid

import pytest

from public_schema.network.tasks import handoff_deliver_task

from ..support.celery_worker import tasks_on_queue


@pytest.fixture
def queue(settings):
    """A broker queue nobody consumes; yields a function returning the handoff ids queued on it."""
    import redis

    name = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-handoffs-{uuid.uuid4().hex[:6]}"
    broker = redis.Redis.from_url(settings.REDIS_URL)

    def queued() -> list[int]:
        ids = []
        for raw in reversed(broker.lrange(name, 0, -1)):  # LPUSH: the oldest is last
            _args, kwargs, _embed = json.loads(base64.b64decode(json.loads(raw)["body"]))
            ids.append(kwargs["handoff_id"])
        return ids

    queued.name = name
    with tasks_on_queue(name, handoff_deliver_task):
        yield queued
    broker.delete(name)


@pytest.fixture
def key():
    return f"test:{uuid.uuid4().hex}"
