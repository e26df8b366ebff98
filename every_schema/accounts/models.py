"""People who sign in. A user lives in the schema of the site they use.

The hub's operators are rows of the public schema; each park's administrators,
reviewers and enterprise users are rows of that park's schema, so the same email can
hold unrelated accounts in two parks and neither can reach the other.
"""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import roles


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name or self.email.split("@")[0]

    def get_public_name(self):
        """How an enterprise sees a park clerk: the clerk's name, else the role ("园区管理员"), never a mailbox."""
        if self.full_name:
            return self.full_name
        for role in (roles.PARK_ADMIN, roles.REVIEWER):
            if role in self.role_set():
                return str(roles.ROLE_NAMES[role])
        return self.get_short_name()

    def has_role(self, role: str) -> bool:
        return self.is_active and role in self.role_set()

    def role_set(self) -> set[str]:
        """The user's role names: as loaded with the user for this request (every_schema.accounts.backends), else read now."""
        names = getattr(self, "role_names", None)
        if names is None:
            return set(self.groups.values_list("name", flat=True))
        return set(names)


class Invitation(models.Model):
    """The one-time link a new account gets by email, and whether the mail server took it.

    Marked sent only after the server accepted the message; a refused or unreachable server
    leaves it pending while the task retries, then failed. `generation` counts the sends an
    administrator asked for: a task carries the generation it was queued for, so a repeated
    or outdated task sends nothing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be sent")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="invitation")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    generation = models.PositiveIntegerField(default=1)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    queued_at = models.DateTimeField(_("queued"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.user.email} ({self.status})"


class ApiToken(models.Model):
    """An API client's credential: only the SHA-256 of its secret is kept.

    The secret is random (256 bits), so a fast hash is enough: nobody can guess a preimage,
    and a stolen table holds nothing that signs in. The secret is shown once, when the token
    is made (every_schema.accounts.services.api_token_create). A token lives in the schema of the site it
    was made on, like its user, so park B has never heard of park A's tokens.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    # The first characters of the secret, so the owner can tell tokens apart; useless for signing in.
    prefix = models.CharField(_("prefix"), max_length=12)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
