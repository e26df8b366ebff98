"""API token authentication: `Authorization: Bearer <secret>` (or `Token <secret>`, as before)."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .backends import UserBackend
from .selectors import api_token_find
from .services import api_token_touch


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Look the secret up by its SHA-256 in this site's schema; refuse it, saying why, if it is dead.

    The user is loaded as for a session (every_schema.accounts.backends.UserBackend), so roles and the
    enterprise seat come with it and an inactive user is refused the same way.
    """

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as `Authorization: Bearer <token>`, with nothing else in the header.")
            )
        try:
            secret = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("This API token is not valid on this site.")) from None
        return self.authenticate_secret(secret)

    def authenticate_secret(self, secret):
        token = api_token_find(secret=secret)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _(
                    "This API token is not valid on this site. Tokens work only on the site that made them; "
                    "create one at /accounts/tokens/ or POST /api/v1/auth/token/."
                ),
                code="token_invalid",
            )
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("This API token was revoked. Create a new one at /accounts/tokens/."), code="token_revoked"
            )
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(
                _("This API token expired on %(date)s. Create a new one at /accounts/tokens/.")
                % {"date": formats.date_format(timezone.localtime(token.expires_at), "DATE_FORMAT")},
                code="token_expired",
            )
        user = UserBackend().get_user(token.user_id)
        if user is None:
            raise exceptions.AuthenticationFailed(
                _("The account of this API token is deactivated."), code="token_user_inactive"
            )
        api_token_touch(token=token)
        return user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "every_schema.accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A token of this site, made at /accounts/tokens/ or with POST /api/v1/auth/token/. Send "
                "`Authorization: Bearer <token>` (the older `Token <token>` works too). Tokens expire "
                "(90 days unless set otherwise) and their owner can revoke them; only a hash is stored."
            ),
        }
