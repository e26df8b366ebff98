"""/media/ serves a park's shared files to its signed-in users, and nothing else, however the path is spelt.

Issue 14: "/media/shared/%2e%2e/attachments/<name>" returned another enterprise's private
attachment, because the "shared/" check ran on the name before it was normalised. Each
spelling below must be a 404, through the test client and through gunicorn (which decodes the
path itself, as it does behind nginx), while the shared file next to them is still served.
"""

import http.client
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import schema_context

from every_schema.accounts import roles

from ..conftest import ALPHA, BETA, HostClient, host_of, make_user

PRIVATE = b"private attachment of another enterprise"
SHARED = b"circular for every enterprise of the park"


@pytest.fixture
def media_files(tenant_a, tenant_b):
    """A shared file and a private attachment in park A, a shared file in park B, and a symlink."""
    with schema_context(ALPHA):
        shared = default_storage.save("shared/circular.txt", ContentFile(SHARED))
        private = default_storage.save("attachments/applications/1/secret", ContentFile(PRIVATE))
        alpha_root = Path(default_storage.location)
    with schema_context(BETA):
        foreign = default_storage.save("shared/beta-only.txt", ContentFile(b"beta only"))
    link = alpha_root / "shared" / "link-to-secret"
    link.unlink(missing_ok=True)
    os.symlink(alpha_root / private, link)
    yield {"shared": shared, "private": private, "foreign": foreign, "link": "shared/link-to-secret"}
    link.unlink(missing_ok=True)
    with schema_context(ALPHA):
        default_storage.delete(shared)
        default_storage.delete(private)
    with schema_context(BETA):
        default_storage.delete(foreign)


def traversal_paths(files) -> list[str]:
    """URL paths (as a client would send them) that try to reach what /media/ must not serve."""
    private = files["private"]  # attachments/applications/1/secret
    tail = private.split("/", 1)[1]
    media_root = Path(settings.MEDIA_ROOT)
    return [
        f"/media/{private}",
        f"/media/shared/../{private}",
        f"/media/shared/%2e%2e/{private}",
        f"/media/shared/%2E%2E/{private}",
        f"/media/shared/.%2e/{private}",
        f"/media/shared/%2e%2e%2f{private.replace('/', '%2f')}",
        f"/media/shared/%252e%252e/{private}",  # double encoding
        f"/media/shared/%252e%252e%252f{private}",
        f"/media/shared/..%5c{private}",  # backslashes
        f"/media/shared\\..\\{private.replace('/', chr(92))}",
        f"/media/shared/%5c..%5c{tail}",
        f"/media/shared/./../{private}",
        f"/media/shared//../{private}",
        f"/media//{media_root / ALPHA / private}",  # absolute paths
        f"/media/%2f{str(media_root / ALPHA / private).lstrip('/')}",
        "/media//etc/passwd",
        "/media/shared/../../../../etc/passwd",
        f"/media/shared/../../{BETA}/{files['foreign']}",  # the other park's folder
        f"/media/shared/%2e%2e/%2e%2e/{BETA}/{files['foreign']}",
        f"/media/../{BETA}/{files['foreign']}",
        f"/media/{files['foreign']}",  # exists only in park B
        f"/media/{files['link']}",  # a symbolic link out of shared/
        f"/media/shared/{private}%00.txt",
    ]


def test_every_traversal_spelling_is_a_404_and_the_shared_file_still_serves(
    db, media_files, client_a, park_admin_a
):
    client_a.force_login(park_admin_a)
    served = client_a.get(f"/media/{media_files['shared']}")
    assert served.status_code == 200 and b"".join(served.streaming_content) == SHARED

    answers = {path: client_a.get(path) for path in traversal_paths(media_files)}
    leaked = {path: r.status_code for path, r in answers.items() if r.status_code != 404}
    assert leaked == {}


@pytest.mark.slow
def test_through_gunicorn_too(committed_db, media_files, web_server):
    """The raw request line reaches gunicorn unnormalised; it decodes the path as in production."""
    user = make_user(ALPHA, role=roles.PARK_ADMIN)
    try:
        client = HostClient(host_of(ALPHA))
        client.force_login(user)
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

        def status(path: str) -> tuple[int, bytes]:
            connection = http.client.HTTPConnection("127.0.0.1", web_server, timeout=10)
            try:
                connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
                connection.putheader("Host", host_of(ALPHA))
                connection.putheader("Cookie", cookie)
                connection.endheaders()
                response = connection.getresponse()
                return response.status, response.read()
            finally:
                connection.close()

        assert status(f"/media/{media_files['shared']}") == (200, SHARED)
        answers = {path: status(path) for path in traversal_paths(media_files)}
        leaked = {path: code for path, (code, body) in answers.items() if code != 404 or PRIVATE in body}
        # gunicorn itself refuses a request line with a raw backslash or NUL as a 400: no file either.
        print(answers)
        leaked = {
            path: code
            for path, code in leaked.items()
            if not (code == 400 and PRIVATE not in answers[path][1])
        }
        assert leaked == {}
    finally:
        with schema_context(ALPHA):
            user.delete()
