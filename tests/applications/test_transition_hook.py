"""The kernel's hook: a committed workflow move is announced to whoever subscribes, once, in its schema.

The kernel (saas.workflow) knows none of its listeners; the hub's figures are one of them
(tests/hub/test_rollups.py checks that they refresh after each change).
"""

from django.db import connection, transaction

from saas.signals import transition_committed
from tenant_schema.applications.models import Application

from .conftest import act, draft_for


class Heard:
    """A listener that notes what it hears and in which schema it runs."""

    def __init__(self):
        self.calls = []

    def __call__(self, sender, **kwargs):
        self.calls.append({"sender": sender, "schema": connection.schema_name, **kwargs})


def listening():
    heard = Heard()
    transition_committed.connect(heard, weak=False)
    return heard


def test_a_committed_move_is_announced_with_its_states_in_its_schema(
    programme, enterprise_x, django_capture_on_commit_callbacks
):
    application = draft_for(enterprise_x, programme)
    heard = listening()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            act(application, "submit", enterprise_x.user)
            assert heard.calls == []  # not before the commit
    finally:
        transition_committed.disconnect(heard)
    [call] = [call for call in heard.calls if call["sender"] is Application]
    assert call["instance"].pk == application.pk and call["action"] == "submit"
    assert (
        call["from_status"] == Application.Status.DRAFT and call["to_status"] == Application.Status.IN_REVIEW
    )
    assert call["actor"] == enterprise_x.user and call["transition"].action == "submit"
    assert call["schema"] == connection.schema_name != "public"


def test_a_move_rolled_back_is_never_announced(programme, enterprise_x, django_capture_on_commit_callbacks):
    application = draft_for(enterprise_x, programme)
    heard = listening()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            try:
                with transaction.atomic():
                    act(application, "submit", enterprise_x.user)
                    raise RuntimeError("the caller's transaction fails after the move")
            except RuntimeError:
                pass
    finally:
        transition_committed.disconnect(heard)
    assert heard.calls == []
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_a_failing_listener_never_undoes_nor_breaks_the_committed_move(
    programme, enterprise_x, django_capture_on_commit_callbacks
):
    def broken(sender, **kwargs):
        raise RuntimeError("a listener's bug")

    application = draft_for(enterprise_x, programme)
    transition_committed.connect(broken, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            act(application, "submit", enterprise_x.user)
    finally:
        transition_committed.disconnect(broken)
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW
