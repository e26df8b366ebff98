"""Excel import pages for park administrators: template, upload, preview, confirm, progress.

Every page fetches the batch through `import_batch_get_for_user`, so another user's
batch, another park's batch and a made-up id are the same 404; people who are not park
administrators get that 404 on every page, the upload page included.
"""

from functools import wraps

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from .importing import (
    COLUMNS,
    IMPORT_MAX_BYTES,
    Status,
    import_batch_confirm,
    import_batch_create,
    import_batch_discard,
    import_batch_display_status,
    import_batch_get_for_user,
    import_batch_problems,
    import_batch_stalled,
    import_batch_warnings,
    import_failure_message,
    import_template_workbook,
    user_may_import,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_TYPE}"}),
    )


def park_admin_required(view):
    """Sign in first; signed-in people who are not this park's administrators get a 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_may_import(request.user):
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@park_admin_required
def import_template(request):
    response = HttpResponse(import_template_workbook(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="企业导入模板.xlsx"
    )
    return response


@park_admin_required
def import_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                batch = import_batch_create(actor=request.user, upload=form.cleaned_data["file"])
            except ValidationError as error:
                form.add_error("file", error)
            else:
                return redirect("enterprise_import:batch", batch_id=batch.id)
        status = 400
    context = {
        "form": form,
        "columns": COLUMNS,
        "max_mb": IMPORT_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "enterprises/import_upload.html", context, status=status)


@require_GET
@park_admin_required
def import_batch(request, batch_id):
    """The preview before confirmation; afterwards the progress and the result."""
    batch = import_batch_get_for_user(user=request.user, batch_id=batch_id)
    if batch.status == Status.PREVIEWED:
        return render(
            request,
            "enterprises/import_preview.html",
            {
                "batch": batch,
                "problems": import_batch_problems(batch=batch),
                "warnings": import_batch_warnings(batch=batch),
            },
        )
    display_status = import_batch_display_status(batch)
    return render(
        request,
        "enterprises/import_progress.html",
        {
            "batch": batch,
            "display_status": display_status,
            "failure_message": _failure_message(batch, display_status),
            "progress_url": reverse("enterprise_import:progress", kwargs={"batch_id": batch.id}),
            "stalled": import_batch_stalled(batch),
        },
    )


def _failure_message(batch, display_status: str) -> str:
    if display_status == "interrupted":
        return import_failure_message("interrupted")
    return import_failure_message(batch.failure) if batch.status == Status.FAILED else ""


@require_POST
@park_admin_required
def import_confirm(request, batch_id):
    batch = import_batch_get_for_user(user=request.user, batch_id=batch_id)
    try:
        import_batch_confirm(batch=batch, actor=request.user)
    except ValidationError as error:
        return render(
            request,
            "enterprises/import_preview.html",
            {
                "batch": batch,
                "problems": import_batch_problems(batch=batch),
                "warnings": import_batch_warnings(batch=batch),
                "confirm_error": " ".join(error.messages),
            },
            status=400,
        )
    return redirect("enterprise_import:batch", batch_id=batch.id)


@require_POST
@park_admin_required
def import_discard(request, batch_id):
    batch = import_batch_get_for_user(user=request.user, batch_id=batch_id)
    try:
        import_batch_discard(batch=batch)
    except ValidationError:
        return redirect("enterprise_import:batch", batch_id=batch.id)
    return redirect("enterprise_import:upload")


@require_GET
@park_admin_required
def import_progress(request, batch_id):
    """What the progress page polls: rows processed of the total, and the counts when done."""
    batch = import_batch_get_for_user(user=request.user, batch_id=batch_id)
    display_status = import_batch_display_status(batch)
    return JsonResponse(
        {
            "status": display_status,
            "processed": batch.processed,
            "total": batch.valid_rows,
            # An interrupted batch waits for the administrator (or a redelivered task): the page stops polling.
            "finished": batch.finished or display_status == "interrupted",
            "created": batch.created,
            "updated": batch.updated,
            "unchanged": batch.unchanged,
            "message": _failure_message(batch, display_status),
            "stalled": import_batch_stalled(batch),
            "attempts": batch.attempts,
        }
    )
