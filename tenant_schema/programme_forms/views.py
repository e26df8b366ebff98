"""Pages: the programme's guide and form builder (park staff; administrators change them), the
answers exported to Excel, and the enterprise filling in its application's form.

Reads through selectors, writes through services; a refused write shows its messages next to
the fields with a 400.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from saas.workflow import TransitionRefused
from tenant_schema.applications import workflow as wf
from tenant_schema.applications.selectors import application_get_for_enterprise
from tenant_schema.applications.services import application_transition
from tenant_schema.applications.views import enterprise_member_required
from tenant_schema.enterprises.forms import form_add_service_error
from tenant_schema.enterprises.selectors import user_is_park_admin
from tenant_schema.enterprises.views import park_staff_required
from tenant_schema.funding.selectors import programme_get

from . import schema as sch
from .exports import answers_workbook
from .forms import FieldForm, GuideForm, SectionForm
from .models import FormVersion
from .selectors import filed_form_get, filed_form_sections, form_draft_schema, form_latest, guide_of
from .services import (
    EDITABLE,
    filed_form_problems,
    filed_form_save,
    filed_form_start,
    form_field_save,
    form_item_move,
    form_item_remove,
    form_publish,
    form_section_save,
    guide_save,
)


def _require_admin(user) -> None:
    if not user_is_park_admin(user):
        raise PermissionDenied(_("Only a park administrator can change programmes."))


# ---------------------------------------------------------------------------------------------
# The guide
# ---------------------------------------------------------------------------------------------


@park_staff_required
def guide_edit(request, pk):
    programme = programme_get(pk=pk)
    can_change = user_is_park_admin(request.user)
    form = GuideForm(request.POST or None, instance=guide_of(programme))
    status = 200
    if request.method == "POST":
        _require_admin(request.user)
        status = 400
        if form.is_valid():
            try:
                guide_save(programme=programme, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, _("Guide saved."))
                return redirect("funding:programme_detail", pk=programme.pk)
    return render(
        request,
        "programme_forms/guide_form.html",
        {"programme": programme, "form": form, "can_change": can_change},
        status=status,
    )


# ---------------------------------------------------------------------------------------------
# The form builder
# ---------------------------------------------------------------------------------------------


def _builder(request, programme, *, section_form=None, errors=(), status=200):
    schema = form_draft_schema(programme)
    latest = form_latest(programme)
    labels = {field["key"]: field["label"] for field in sch.fields_of(schema)}
    types = dict(sch.FIELD_TYPES)
    for field in sch.fields_of(schema):
        field["type_label"] = types.get(field["type"], field["type"])
        if field.get("show_if"):
            rule = field["show_if"]
            field["condition_label"] = _("only when “%(field)s” is %(value)s") % {
                "field": labels.get(rule["field"], rule["field"]),
                "value": {"yes": _("Yes"), "no": _("No")}.get(rule["equals"], rule["equals"]),
            }
    return render(
        request,
        "programme_forms/builder.html",
        {
            "programme": programme,
            "schema": schema,
            "latest": latest,
            "changed": latest is None or latest.schema != form_draft_schema(programme),
            "versions": FormVersion.objects.filter(programme=programme).order_by("-number"),
            "section_form": section_form or SectionForm(),
            "errors": errors,
            "can_change": user_is_park_admin(request.user),
        },
        status=status,
    )


@park_staff_required
def form_builder(request, pk):
    """The form as it is being built, with its sections; adding a section posts here."""
    programme = programme_get(pk=pk)
    if request.method != "POST":
        return _builder(request, programme)
    _require_admin(request.user)
    section_form = SectionForm(request.POST)
    if section_form.is_valid():
        try:
            form_section_save(programme=programme, actor=request.user, **section_form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(section_form, error)
        else:
            messages.success(request, _("Section added."))
            return redirect("programme_forms:builder", pk=programme.pk)
    return _builder(request, programme, section_form=section_form, status=400)


@park_staff_required
def form_field(request, pk, key=None):
    """Add a field (?section=s1) or change the field `key`."""
    programme = programme_get(pk=pk)
    schema = form_draft_schema(programme)
    documents = list(programme.required_documents or [])
    if not schema.get("sections"):
        messages.error(request, _("Add a section first."))
        return redirect("programme_forms:builder", pk=programme.pk)
    initial = {"section": request.GET.get("section") or schema["sections"][0]["key"], "type": sch.TEXT}
    if key is not None:
        existing = sch.field_by_key(schema, key)
        if existing is None:
            raise Http404("No such field")
        section = next(s["key"] for s in schema["sections"] if existing in s["fields"])
        initial = FieldForm.initial_of(existing, section)
    form = FieldForm(request.POST or None, initial=initial, schema=schema, documents=documents, editing=key)
    status = 200
    if request.method == "POST":
        _require_admin(request.user)
        status = 400
        if form.is_valid():
            try:
                form_field_save(
                    programme=programme,
                    actor=request.user,
                    section=form.cleaned_data["section"],
                    field=form.field(),
                    key=key,
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, _("Field saved. Publish the form when it is ready."))
                return redirect("programme_forms:builder", pk=programme.pk)
    return render(
        request,
        "programme_forms/field_form.html",
        {"programme": programme, "form": form, "key": key, "can_change": user_is_park_admin(request.user)},
        status=status,
    )


@require_POST
@park_staff_required
def form_item(request, pk, key):
    """Move a section or field up or down, or remove it."""
    programme = programme_get(pk=pk)
    _require_admin(request.user)
    action = request.POST.get("action")
    try:
        if action in ("up", "down"):
            form_item_move(programme=programme, actor=request.user, key=key, up=action == "up")
        elif action == "remove":
            form_item_remove(programme=programme, actor=request.user, key=key)
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        return _builder(request, programme, errors=error.messages, status=400)
    return redirect("programme_forms:builder", pk=programme.pk)


@require_POST
@park_staff_required
def form_publish_view(request, pk):
    programme = programme_get(pk=pk)
    _require_admin(request.user)
    try:
        version = form_publish(programme=programme, actor=request.user)
    except ValidationError as error:
        return _builder(request, programme, errors=error.messages, status=400)
    messages.success(
        request,
        _("Version %(number)s published. Applications already started keep the version they began with.")
        % {"number": version.number},
    )
    return redirect("programme_forms:builder", pk=programme.pk)


@park_staff_required
def answers_export(request, pk):
    """Every submitted application's answers, one row each, as an Excel workbook."""
    programme = programme_get(pk=pk)
    response = HttpResponse(
        answers_workbook(programme),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="programme-{programme.pk}-answers.xlsx"'
    return response


# ---------------------------------------------------------------------------------------------
# The enterprise fills it in
# ---------------------------------------------------------------------------------------------


def answers_from_post(schema: dict, data) -> dict:
    """The answers as the page posts them: one input per field, `key__row__column` for table cells."""
    answers: dict = {}
    for field in sch.fields_of(schema):
        key = field["key"]
        if field["type"] == sch.FILE:
            continue
        if field["type"] == sch.TABLE:
            rows = []
            try:
                count = min(int(data.get(f"{key}__rows", 0)), sch.MAX_ROWS + 5)
            except ValueError:
                count = 0
            for index in range(count):
                rows.append(
                    {c["key"]: data.get(f"{key}__{index}__{c['key']}", "") for c in field.get("columns", [])}
                )
            answers[key] = rows
        else:
            answers[key] = data.get(key, "")
    return answers


def _fill_rows(filed, values: dict, errors: dict) -> list:
    sections = filed_form_sections(filed, errors=errors)
    # Every field is on the page (a condition is applied as one types, static/js/form-conditions.js);
    # those hidden by the current answers start hidden.
    shown = {row.field["key"] for section in sections for row in section.fields}
    out = []
    for section in filed.version.schema.get("sections", []):
        rows = []
        for field in section.get("fields", []):
            value = values.get(field["key"])
            row = {
                "field": field,
                "value": value,
                "hidden": field["key"] not in shown,
                "errors": errors.get(field["key"], []),
                "to_fix": field["key"] in filed.to_fix_fields
                or (field["type"] == sch.FILE and field.get("document") in filed.to_fix_documents),
            }
            if field["type"] == sch.TABLE:
                existing = value if isinstance(value, list) else []
                blank = {c["key"]: "" for c in field.get("columns", [])}
                row["rows"] = [
                    (index, [(c, (cells or {}).get(c["key"], "")) for c in field.get("columns", [])])
                    for index, cells in enumerate([*existing, blank, blank, blank][: sch.MAX_ROWS])
                ]
                row["row_count"] = len(row["rows"])
            if field["type"] == sch.YESNO:
                row["value"] = sch.condition_text(value) if value in (True, False) else (value or "")
            rows.append(row)
        out.append({"section": section, "rows": rows})
    return out


@enterprise_member_required
def form_fill(request, pk):
    application = application_get_for_enterprise(enterprise=request.enterprise, pk=pk)
    editable = application.status in EDITABLE
    # Opening the form starts it while the application can still be edited; a submitted one
    # shows the form it was filed with, or none if it was filed before the programme had one.
    filed = filed_form_start(application=application) if editable else filed_form_get(application)
    if filed is None:
        raise Http404("This programme has no application form")
    errors: dict = {}
    values = filed.answers
    status = 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("Only a draft or a returned application can be edited."))
        values = answers_from_post(filed.version.schema, request.POST)
        try:
            filed = filed_form_save(application=application, actor=request.user, answers=values)
        except ValidationError as error:
            errors = error.message_dict
            status = 400
        else:
            values = filed.answers
            if not request.POST.get("and_submit"):
                messages.success(request, _("Draft saved. You can come back and finish it later."))
                return redirect("programme_forms:fill", pk=application.pk)
            _filed, errors = filed_form_problems(application=application)
            if not errors:
                resubmitting = application.status == "returned"
                try:
                    application_transition(
                        application_id=application.pk, action=wf.SUBMIT, actor=request.user
                    )
                except (TransitionRefused, ValidationError) as refused:
                    text = (
                        str(refused.message)
                        if isinstance(refused, TransitionRefused)
                        else " ".join(refused.messages)
                    )
                    messages.error(
                        request, _("Your draft is saved but was not sent: %(reason)s") % {"reason": text}
                    )
                    return redirect("applications:detail", pk=application.pk)
                messages.success(
                    request,
                    _("Sent back to the park. It continues at the stage that returned it.")
                    if resubmitting
                    else _("Submitted. The park now has it; follow every stage here."),
                )
                return redirect("applications:detail", pk=application.pk)
            status = 400
    supplied = set(application.attachments.values_list("document", flat=True))
    return render(
        request,
        "programme_forms/fill.html",
        {
            "application": application,
            "programme": application.programme,
            "filed": filed,
            "sections": _fill_rows(filed, values, errors),
            "has_errors": bool(errors),
            "editable": editable,
            "supplied": supplied,
            "to_fix_documents": filed.to_fix_documents,
        },
        status=status,
    )
