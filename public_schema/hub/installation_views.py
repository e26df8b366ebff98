"""The hub operator's page for the installation's own names and contact (installation app)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from public_schema.installation.forms import InstallationForm
from public_schema.installation.selectors import installation_row
from public_schema.installation.services import installation_update

from .access import hub_operator_required


@hub_operator_required
def installation_edit(request):
    form = InstallationForm(request.POST or None, instance=installation_row())
    if request.method == "POST" and form.is_valid():
        installation_update(actor=request.user, **{name: form.cleaned_data[name] for name in form.fields})
        messages.success(request, _("Saved: every page and e-mail of the network now shows these."))
        return redirect("hub:installation")
    return render(request, "hub/installation.html", {"form": form})
