"""/accounts/tokens/: a signed-in user's own API tokens, made, listed and revoked on one page."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .selectors import api_token_get_for_user, api_token_list_for_user
from .services import api_token_create, api_token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("Which program uses it, e.g. ERP sync."),
    )
    lifetime_days = forms.IntegerField(label=gettext_lazy("Valid for (days)"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The setting is read per request, not at import.
        self.fields["lifetime_days"].initial = settings.API_TOKEN_LIFETIME_DAYS
        self.fields["lifetime_days"].widget.attrs["max"] = settings.API_TOKEN_LIFETIME_DAYS

    def clean_lifetime_days(self):
        days = self.cleaned_data["lifetime_days"]
        if days > settings.API_TOKEN_LIFETIME_DAYS:
            raise forms.ValidationError(
                _("A token lives at most %(days)s days on this site.")
                % {"days": settings.API_TOKEN_LIFETIME_DAYS}
            )
        return days


@never_cache  # the one answer that shows a new secret must not be kept by any cache
@login_required
def token_list(request):
    new_secret = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, new_secret = api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            lifetime_days=form.cleaned_data["lifetime_days"],
        )
        form = TokenForm()
    context = {
        "form": form,
        "new_secret": new_secret,
        "tokens": api_token_list_for_user(user=request.user),
        "max_days": settings.API_TOKEN_LIFETIME_DAYS,
        "now": timezone.now(),
    }
    return render(request, "accounts/tokens.html", context)


@require_POST
@login_required
def token_revoke(request, pk):
    token = api_token_get_for_user(user=request.user, pk=pk)
    api_token_revoke(token=token)
    messages.success(
        request,
        _("Token “%(name)s” is revoked: programs using it are refused from now on.") % {"name": token.name},
    )
    return redirect("accounts:tokens")
