"""Every response carries its request id; a client cannot choose it unless our proxy vouches for it."""

import io
import json
import logging

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from pythonjsonlogger.json import JsonFormatter

from saas.celery import app
from saas.logs import ContextFilter

from ..conftest import host_of


def test_a_request_id_is_generated_and_echoed(db, tenant_a):
    first = Client(HTTP_HOST=host_of("alpha")).get("/accounts/login/")
    second = Client(HTTP_HOST=host_of("alpha")).get("/accounts/login/")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]


def test_without_a_trusted_proxy_the_clients_request_id_is_replaced(db, tenant_a, settings):
    settings.PARKHUB_TRUSTED_PROXY_COUNT = 0
    settings.PARKHUB_TRUSTED_PROXIES = []
    response = Client(HTTP_HOST=host_of("alpha")).get(
        "/accounts/login/", HTTP_X_REQUEST_ID="chosen-by-the-client"
    )
    assert response["X-Request-ID"] != "chosen-by-the-client"


def test_behind_a_trusted_proxy_its_request_id_is_kept(db, tenant_a, settings):
    settings.PARKHUB_TRUSTED_PROXY_COUNT = 1
    response = Client(HTTP_HOST=host_of("alpha")).get(
        "/accounts/login/", HTTP_X_REQUEST_ID="0af7651916cd43dd8448eb211c80319c"
    )
    assert response["X-Request-ID"] == "0af7651916cd43dd8448eb211c80319c"
    # Even from the proxy, a header that is not an id (log injection) is replaced.
    odd = Client(HTTP_HOST=host_of("alpha")).get(
        "/accounts/login/", HTTP_X_REQUEST_ID='x" level=ERROR\nforged'
    )
    assert len(odd["X-Request-ID"]) == 32


def test_trusted_proxies_by_address_vouch_only_from_their_own_address(db, tenant_a, settings):
    settings.PARKHUB_TRUSTED_PROXIES = ["10.0.0.0/8"]
    sent = "0af7651916cd43dd8448eb211c80319c"
    client = Client(HTTP_HOST=host_of("alpha"))
    assert (
        client.get("/accounts/login/", HTTP_X_REQUEST_ID=sent, REMOTE_ADDR="10.1.2.3")["X-Request-ID"] == sent
    )
    assert (
        client.get("/accounts/login/", HTTP_X_REQUEST_ID=sent, REMOTE_ADDR="203.0.113.9")["X-Request-ID"]
        != sent
    )


@pytest.fixture
def json_lines():
    """The production formatter and filter (saas/settings/base.py's "json") on the request logger."""
    from django.conf import settings

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    formatter = settings.LOGGING["formatters"]["json"]
    handler.setFormatter(JsonFormatter(formatter["fmt"], rename_fields=formatter["rename_fields"]))
    handler.addFilter(ContextFilter())
    loggers = [logging.getLogger("parkhub.request"), logging.getLogger("django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def test_the_access_line_names_request_tenant_and_user(client_a, park_admin_a, json_lines):
    client_a.force_login(park_admin_a)
    response = client_a.get("/notifications/")
    assert response.status_code == 200
    [line] = [line for line in json_lines() if line.get("route") == "notifications:list"]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["tenant"] == "alpha"
    assert line["user_id"] == park_admin_a.pk
    assert line["status"] == 200 and line["level"] == "INFO" and line["logger"] == "parkhub.request"


def test_djangos_own_not_found_line_carries_the_request_id(db, client_a, json_lines):
    response = client_a.get("/programmes/987654321/")
    assert response.status_code == 404
    [line] = [line for line in json_lines() if line["logger"] == "django.request"]
    assert line["request_id"] == response["X-Request-ID"] and line["tenant"] == "alpha"
    assert line["level"] == "WARNING"


@app.task(name="tests.telemetry.logged")
def logged():
    logging.getLogger("parkhub.request").info("a line from a task")


def test_a_task_line_names_its_task_and_tenant(db, tenant_a, json_lines):
    with schema_context("alpha"):
        result = logged.apply()
    [line] = [line for line in json_lines() if line["message"] == "a line from a task"]
    assert line["task_id"] == result.id
    assert line["tenant"] == "alpha"
    assert line["request_id"] == "" and line["user_id"] is None
