"""Which address is the client's, for each way the trusted proxies can be configured (saas.client_address)."""

import pytest
from django.test import RequestFactory

from saas.client_address import client_ip


def request_from(remote: str, forwarded_for: str | None = None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **headers)


@pytest.mark.parametrize(
    "remote, forwarded_for, expected",
    [
        ("10.0.0.5", "203.0.113.7", "203.0.113.7"),  # through the proxy
        ("10.0.0.5", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's own claim is ignored
        ("10.0.0.5", "not-an-address, 203.0.113.7", "203.0.113.7"),
        ("203.0.113.7", None, "203.0.113.7"),  # straight to the app: the peer
        ("10.0.0.5", "garbage", "10.0.0.5"),
    ],
)
def test_one_trusted_proxy_counts_one_hop_back(settings, remote, forwarded_for, expected):
    settings.PARKHUB_TRUSTED_PROXY_COUNT = 1
    settings.PARKHUB_TRUSTED_PROXIES = []
    assert client_ip(request_from(remote, forwarded_for)) == expected


@pytest.mark.parametrize(
    "remote, forwarded_for, expected",
    [
        ("10.1.2.3", "203.0.113.7", "203.0.113.7"),
        ("10.1.2.3", "6.6.6.6, 203.0.113.7, 10.9.9.9", "203.0.113.7"),  # two proxies of ours
        ("198.51.100.4", "6.6.6.6", "198.51.100.4"),  # not from our proxy: its claim counts for nothing
        ("10.1.2.3", "10.2.2.2", "10.2.2.2"),  # every hop ours: the leftmost
    ],
)
def test_trusted_proxy_networks_are_skipped_from_the_right(settings, remote, forwarded_for, expected):
    settings.PARKHUB_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request_from(remote, forwarded_for)) == expected


def test_without_a_proxy_a_forwarded_header_is_ignored(settings):
    settings.PARKHUB_TRUSTED_PROXY_COUNT = 0
    settings.PARKHUB_TRUSTED_PROXIES = []
    assert client_ip(request_from("203.0.113.7", "6.6.6.6")) == "203.0.113.7"
