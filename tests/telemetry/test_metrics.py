"""/metrics: hidden without the bearer token, and what it counts is labelled by route and tenant kind.

Labels stay bounded: the resolver's view name, never the path with its ids; the tenant's
kind, never its schema.
"""

import secrets
import time

import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from saas.celery import app

from ..conftest import HUB_HOST, host_of

TOKEN = secrets.token_urlsafe(24)


@app.task(name="tests.telemetry.timed")
def timed(seconds: float, fail: bool = False):
    time.sleep(seconds)
    if fail:
        raise ValueError("failed on purpose")
    return seconds


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(host: str = "10.0.0.7:8000", token: str | None = TOKEN):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return Client(HTTP_HOST=host).get("/metrics", **headers)


def samples(text: str, name: str) -> list:
    return [
        sample
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    ]


def test_metrics_are_a_404_without_the_token(db, tenant_a, metrics_token):
    # The site's own 404 (the page of an unknown host, or the park's), as for any address it does not have.
    assert scrape(token=None).status_code == 404
    assert scrape(token="wrong").status_code == 404
    assert scrape(host=host_of("alpha"), token=None).status_code == 404
    no_token = Client(HTTP_HOST=host_of("alpha")).get("/metrics", HTTP_AUTHORIZATION=f"Token {TOKEN}")
    assert no_token.status_code == 404


def test_metrics_are_a_404_when_no_token_is_configured(db, settings):
    settings.METRICS_TOKEN = ""
    assert scrape(token="").status_code == 404
    assert scrape(token=None).status_code == 404


def test_metrics_with_the_token_carry_the_route_and_tenant_kind_of_a_request(db, tenant_a, metrics_token):
    assert Client(HTTP_HOST=host_of("alpha")).get("/programmes/987654321/").status_code == 404
    assert Client(HTTP_HOST=HUB_HOST).get("/accounts/login/").status_code == 200

    response = scrape()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    counts = {
        (s.labels["route"], s.labels["tenant_kind"], s.labels["status"]): s.value
        for s in samples(text, "parkhub_http_request_duration_seconds_count")
    }
    assert counts[("applications:programme", "park", "4xx")] >= 1
    assert counts[("accounts:login", "hub", "2xx")] >= 1
    # The path's id, the schema's name and the probe itself never become labels.
    assert "987654321" not in text
    assert 'tenant_kind="alpha"' not in text and "alpha" not in {k[1] for k in counts}
    assert not [k for k in counts if "metrics" in k[0]]


def test_celery_task_counts_and_durations(db, metrics_token):
    def value(name, **labels):
        found = [
            s.value for s in samples(scrape().content.decode(), name) if s.labels.items() >= labels.items()
        ]
        return found[0] if found else 0

    succeeded = value("parkhub_celery_tasks_total", task="tests.telemetry.timed", state="SUCCESS")
    failed = value("parkhub_celery_tasks_total", task="tests.telemetry.timed", state="FAILURE")
    slow = value("parkhub_celery_task_duration_seconds_bucket", task="tests.telemetry.timed", le="0.1")
    timed.apply(kwargs={"seconds": 0.3})
    timed.apply(kwargs={"seconds": 0.0, "fail": True})
    assert value("parkhub_celery_tasks_total", task="tests.telemetry.timed", state="SUCCESS") == succeeded + 1
    assert value("parkhub_celery_tasks_total", task="tests.telemetry.timed", state="FAILURE") == failed + 1
    # The 0.3 s run lands above the 0.1 s bucket, the instant failure below it.
    assert (
        value("parkhub_celery_task_duration_seconds_bucket", task="tests.telemetry.timed", le="0.1")
        == slow + 1
    )
    assert value("parkhub_celery_task_duration_seconds_sum", task="tests.telemetry.timed") >= 0.3


def test_queue_length_is_read_from_redis_at_scrape_time(db, metrics_token, settings):
    queue = f"parkhub-test-ops-metrics-{secrets.token_hex(3)}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    try:

        def length():
            return [
                s.value
                for s in samples(scrape().content.decode(), "parkhub_celery_queue_length")
                if s.labels["queue"] == queue
            ]

        assert length() == [0]
        client.lpush(queue, "a", "b", "c")
        assert length() == [3]
        client.rpop(queue)
        assert length() == [2]
    finally:
        client.delete(queue)
        client.close()
