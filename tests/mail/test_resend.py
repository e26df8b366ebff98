"""Resending an invitation: the button on the park's enterprise page and the command, with their rules."""

from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from every_schema.accounts.models import Invitation
from every_schema.accounts.services import invitation_queue
from tenant_schema.enterprises.models import Membership
from tenant_schema.enterprises.services import member_invite

from ..conftest import ALPHA, PASSWORD, make_user
from ..enterprises.conftest import register


@pytest.fixture
def invited_member(db, tenant_a):
    """An enterprise of park A whose owner invited a colleague; the invitation went out an hour ago."""
    registration = register(ALPHA)
    with schema_context(ALPHA):
        membership = member_invite(
            enterprise=registration.enterprise, actor=registration.user, email="colleague@example.cn"
        )
        Invitation.objects.filter(user=membership.user).update(
            status=Invitation.Status.SENT,
            sent_at=timezone.now(),
            queued_at=timezone.now() - timedelta(hours=1),
        )
    return membership


def _invitation(user) -> Invitation:
    with schema_context(ALPHA):
        return Invitation.objects.get(user=user)


def test_inviting_a_colleague_records_a_pending_invitation(db, tenant_a):
    registration = register(ALPHA)
    with schema_context(ALPHA):
        membership = member_invite(
            enterprise=registration.enterprise, actor=registration.user, email="new@example.cn"
        )
        invitation = Invitation.objects.get(user=membership.user)
        assert invitation.status == Invitation.Status.PENDING and invitation.sent_at is None
        # Queueing again is harmless: still one row, the same generation.
        assert invitation_queue(user=membership.user).pk == invitation.pk
        assert Invitation.objects.filter(user=membership.user).count() == 1


def test_park_admin_resends_from_the_enterprise_page(client_a, invited_member):
    admin = make_user(ALPHA, role=roles.PARK_ADMIN)
    client_a.force_login(admin)
    with schema_context(ALPHA):
        old_token = default_token_generator.make_token(invited_member.user)
    page = client_a.get(f"/park/enterprises/{invited_member.enterprise_id}/")
    assert "colleague@example.cn" in page.content.decode()
    url = f"/park/enterprises/{invited_member.enterprise_id}/members/{invited_member.pk}/invitation/"
    assert url in page.content.decode()

    response = client_a.post(url, follow=True)
    assert response.status_code == 200
    assert "colleague@example.cn" in response.content.decode()
    resent = _invitation(invited_member.user)
    assert resent.status == Invitation.Status.PENDING and resent.generation == 2 and resent.sent_at is None
    with schema_context(ALPHA):
        invited_member.user.refresh_from_db()
        # The earlier link stops working at once.
        assert not default_token_generator.check_token(invited_member.user, old_token)

    # A second click right away is refused with the time it will be allowed, and changes nothing.
    again = client_a.post(url, follow=True)
    assert "after" in again.content.decode() or "之后" in again.content.decode()
    assert _invitation(invited_member.user).generation == 2


def test_an_accepted_invitation_is_not_resent(client_a, invited_member):
    with schema_context(ALPHA):
        invited_member.user.set_password(PASSWORD)
        invited_member.user.save()
    admin = make_user(ALPHA, role=roles.PARK_ADMIN)
    client_a.force_login(admin)
    page = client_a.get(f"/park/enterprises/{invited_member.enterprise_id}/")
    url = f"/park/enterprises/{invited_member.enterprise_id}/members/{invited_member.pk}/invitation/"
    assert url not in page.content.decode()
    response = client_a.post(url, follow=True)
    assert "reset" in response.content.decode() or "重置" in response.content.decode()
    assert _invitation(invited_member.user).generation == 1


def test_a_reviewer_cannot_resend_and_an_outsiders_member_is_a_404(client_a, invited_member):
    reviewer = make_user(ALPHA, role=roles.REVIEWER)
    client_a.force_login(reviewer)
    url = f"/park/enterprises/{invited_member.enterprise_id}/members/{invited_member.pk}/invitation/"
    assert client_a.post(url).status_code == 403
    admin = make_user(ALPHA, role=roles.PARK_ADMIN)
    client_a.force_login(admin)
    other = register(ALPHA)
    with schema_context(ALPHA):
        owner_membership = Membership.objects.get(user=other.user)
    wrong = f"/park/enterprises/{invited_member.enterprise_id}/members/{owner_membership.pk}/invitation/"
    assert client_a.post(wrong).status_code == 404
    assert _invitation(invited_member.user).generation == 1


def test_the_command_resends_and_explains_what_it_refused(invited_member, capsys):
    call_command("invitation_resend", "colleague@example.cn", schema=ALPHA)
    assert "colleague@example.cn: a new invitation is queued in alpha" in capsys.readouterr().out
    assert _invitation(invited_member.user).generation == 2
    # Right away again: refused by the interval, with the time it is allowed; an unknown address says so.
    with pytest.raises(CommandError, match="2 of 2"):
        call_command("invitation_resend", "colleague@example.cn", "nobody@example.cn", schema=ALPHA)
    refused = capsys.readouterr().err
    assert "colleague@example.cn:" in refused and ("after" in refused or "之后" in refused)
    assert "nobody@example.cn: no account with this address in alpha" in refused
    assert _invitation(invited_member.user).generation == 2
    with pytest.raises(CommandError, match="No live schema"):
        call_command("invitation_resend", "colleague@example.cn", schema="atlantis")
