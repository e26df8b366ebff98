"""Writes: the programme guide, building and publishing a programme's form, filling it in.

Only park administrators build forms and guides; only the enterprise's own people fill in its
application's form, and only while it is a draft or returned. Submitting goes through the
application workflow (tenant_schema.applications.services.application_transition), which calls
`filed_form_submit_check` inside its transaction.
"""

from __future__ import annotations

import copy
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from every_schema.accounts import roles

from . import schema as sch
from .models import FiledForm, FormDraft, FormVersion, ProgrammeGuide, empty_schema
from .selectors import form_latest, prefill_values

# ---------------------------------------------------------------------------------------------
# The guide (申兑指南)
# ---------------------------------------------------------------------------------------------

GUIDE_FIELDS = (
    "eligible_applicants",
    "conditions",
    "amounts",
    "payment_time_limit",
    "contact_office",
    "contact_phone",
)
PHONE = re.compile(r"^[0-9+()\- ]{5,20}(?:(?:转|ext\.?|-)[0-9]{1,6})?$")


def _require_park_admin(actor, message: str) -> None:
    if actor is None:  # the system: a demo seed, a delivery
        return
    if not (actor.is_authenticated and (actor.is_superuser or actor.has_role(roles.PARK_ADMIN))):
        raise PermissionDenied(message)


def guide_save(*, programme, actor=None, **fields) -> ProgrammeGuide:
    """Write the guide; every part is required and the phone must look like one."""
    _require_park_admin(actor, _("Only a park administrator can change a programme's guide."))
    unknown = set(fields) - set(GUIDE_FIELDS)
    if unknown:
        raise ValidationError({name: _("No such part of the guide.") for name in unknown})
    values = {name: str(fields.get(name) or "").strip() for name in GUIDE_FIELDS}
    errors = {name: _("This field is required.") for name, value in values.items() if not value}
    if values["contact_phone"] and not PHONE.match(values["contact_phone"]):
        errors["contact_phone"] = _("Enter a phone number, e.g. 0532-87200000.")
    if errors:
        raise ValidationError(errors)
    guide, _created = ProgrammeGuide.objects.update_or_create(programme=programme, defaults=values)
    return guide


def guide_missing(programme) -> list[str]:
    """The parts of the guide still to write (all of them when there is none)."""
    guide = ProgrammeGuide.objects.filter(programme=programme).first()
    if guide is None:
        return list(GUIDE_FIELDS)
    return [name for name in GUIDE_FIELDS if not getattr(guide, name).strip()]


def guide_require(programme) -> None:
    """A programme opens only with its guide written; refused on the field `guide` otherwise."""
    if guide_missing(programme):
        raise ValidationError(
            {
                "guide": _(
                    "Write the programme guide (申兑指南: who may apply, conditions, amounts, time limit "
                    "to payment, where to ask, phone) before opening the programme."
                )
            }
        )


# ---------------------------------------------------------------------------------------------
# Building the form
# ---------------------------------------------------------------------------------------------


def _draft_locked(programme) -> FormDraft:
    draft = FormDraft.objects.select_for_update().filter(programme=programme).first()
    if draft is None:
        latest = form_latest(programme)
        FormDraft.objects.get_or_create(
            programme=programme,
            defaults={"schema": copy.deepcopy(latest.schema) if latest else empty_schema()},
        )
        draft = FormDraft.objects.select_for_update().get(programme=programme)
    return draft


def _next_key(programme, schema: dict, prefix: str) -> str:
    """A key never used in this programme's forms, so an answer's key means one field for good."""
    used = {field["key"] for field in sch.fields_of(schema)} | {s["key"] for s in schema["sections"]}
    for version in FormVersion.objects.filter(programme=programme).only("schema"):
        used |= {field["key"] for field in sch.fields_of(version.schema)}
        used |= {section["key"] for section in version.schema.get("sections", [])}
    numbers = [int(key[1:]) for key in used if key[:1] == prefix and key[1:].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def _check_order(schema: dict, programme) -> None:
    """After a change, every condition must still look back at an earlier field."""
    earlier: dict[str, dict] = {}
    for field in sch.fields_of(schema):
        rule = field.get("show_if")
        if rule and rule.get("field") not in earlier:
            raise ValidationError(
                {
                    "show_if": _("“%(label)s” depends on a field that would no longer come before it.")
                    % {"label": field["label"]}
                }
            )
        earlier[field["key"]] = field


def _write(draft: FormDraft, schema: dict) -> FormDraft:
    draft.schema = schema
    draft.save(update_fields=["schema", "updated_at"])
    return draft


def _section(schema: dict, key: str) -> dict:
    section = next((s for s in schema["sections"] if s["key"] == key), None)
    if section is None:
        raise ValidationError({"section": _("No such section.")})
    return section


@transaction.atomic
def form_section_save(*, programme, actor, title: str, help: str = "", key: str | None = None) -> FormDraft:
    _require_park_admin(actor, _("Only a park administrator can build a programme's form."))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("This field is required.")})
    draft = _draft_locked(programme)
    schema = copy.deepcopy(draft.schema)
    if key:
        section = _section(schema, key)
        section.update(title=title[:200], help=(help or "").strip()[:1000])
    else:
        schema["sections"].append(
            {
                "key": _next_key(programme, schema, "s"),
                "title": title[:200],
                "help": (help or "").strip()[:1000],
                "fields": [],
            }
        )
    return _write(draft, schema)


@transaction.atomic
def form_field_save(*, programme, actor, section: str, field: dict, key: str | None = None) -> FormDraft:
    """Add a field to a section (a new key), or change the field `key` (moved to `section` if it differs)."""
    _require_park_admin(actor, _("Only a park administrator can build a programme's form."))
    draft = _draft_locked(programme)
    schema = copy.deepcopy(draft.schema)
    target = _section(schema, section)
    field = {name: value for name, value in field.items() if value not in (None, "", [], {})}
    field["required"] = bool(field.get("required"))
    if key:
        current = sch.field_by_key(schema, key)
        if current is None:
            raise ValidationError({"field": _("No such field.")})
        field["key"] = key
        for each in schema["sections"]:
            for index, existing in enumerate(each["fields"]):
                if existing["key"] == key:
                    if each is target:
                        each["fields"][index] = field
                    else:
                        del each["fields"][index]
                        target["fields"].append(field)
                    break
    else:
        field["key"] = _next_key(programme, schema, "f")
        target["fields"].append(field)
    earlier: dict[str, dict] = {}
    for each in sch.fields_of(schema):
        if each["key"] == field["key"]:
            break
        earlier[each["key"]] = each
    problems = sch.field_check(field, earlier, list(programme.required_documents or []))
    if problems:
        raise ValidationError({"__all__": problems})
    _check_order(schema, programme)
    return _write(draft, schema)


@transaction.atomic
def form_item_remove(*, programme, actor, key: str) -> FormDraft:
    """Remove a field, or a section with its fields; refused while another field's condition uses it."""
    _require_park_admin(actor, _("Only a park administrator can build a programme's form."))
    draft = _draft_locked(programme)
    schema = copy.deepcopy(draft.schema)
    sections = [s for s in schema["sections"] if s["key"] != key]
    if len(sections) == len(schema["sections"]):
        for section in sections:
            section["fields"] = [f for f in section["fields"] if f["key"] != key]
    schema["sections"] = sections
    left = {field["key"] for field in sch.fields_of(schema)}
    for field in sch.fields_of(schema):
        if field.get("show_if") and field["show_if"]["field"] not in left:
            raise ValidationError(
                {
                    "show_if": _("“%(label)s” is shown depending on it: change that condition first.")
                    % {"label": field["label"]}
                }
            )
    return _write(draft, schema)


@transaction.atomic
def form_item_move(*, programme, actor, key: str, up: bool) -> FormDraft:
    """Move a section, or a field within its section, one place up or down."""
    _require_park_admin(actor, _("Only a park administrator can build a programme's form."))
    draft = _draft_locked(programme)
    schema = copy.deepcopy(draft.schema)
    for items in [schema["sections"], *[s["fields"] for s in schema["sections"]]]:
        index = next((i for i, item in enumerate(items) if item["key"] == key), None)
        if index is None:
            continue
        other = index - 1 if up else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
        break
    _check_order(schema, programme)
    return _write(draft, schema)


@transaction.atomic
def form_publish(*, programme, actor) -> FormVersion:
    """Publish the draft as the next version. Applications already started keep theirs."""
    _require_park_admin(actor, _("Only a park administrator can publish a programme's form."))
    draft = _draft_locked(programme)
    try:
        sch.schema_check(draft.schema, documents=list(programme.required_documents or []))
    except sch.SchemaError as error:
        raise ValidationError({"form": [m for ms in error.errors.values() for m in ms]}) from None
    latest = FormVersion.objects.select_for_update().filter(programme=programme).order_by("-number").first()
    if latest is not None and latest.schema == draft.schema:
        raise ValidationError(
            {"form": _("Nothing has changed since version %(number)s.") % {"number": latest.number}}
        )
    number = (FormVersion.objects.filter(programme=programme).aggregate(n=Max("number"))["n"] or 0) + 1
    return FormVersion.objects.create(
        programme=programme, number=number, schema=copy.deepcopy(draft.schema), published_by=actor
    )


# ---------------------------------------------------------------------------------------------
# Filling it in
# ---------------------------------------------------------------------------------------------

EDITABLE = ("draft", "returned")


def filed_form_start(*, application) -> FiledForm | None:
    """The application's form, started under the programme's latest version and pre-filled from the
    enterprise's profile; None while the programme has no published form."""
    existing = FiledForm.objects.filter(application=application).select_related("version").first()
    if existing is not None:
        return existing
    latest = form_latest(application.programme)
    if latest is None:
        return None
    known = prefill_values(application.enterprise)
    answers = {}
    for field in sch.fields_of(latest.schema):
        source = field.get("prefill")
        if source and known.get(source) is not None:
            answers[field["key"]] = known[source]
    answers, _errors = sch.answers_clean(latest.schema, answers, complete=False)
    filed, _created = FiledForm.objects.get_or_create(
        application=application, defaults={"version": latest, "answers": answers}
    )
    return filed


def _documents(application) -> set[str]:
    return set(application.attachments.values_list("document", flat=True))


def filed_form_save(*, application, actor, answers: dict, merge: bool = False) -> FiledForm:
    """Save the answers of a draft: missing ones are fine, a wrong one is refused on its field."""
    from tenant_schema.enterprises.models import Membership

    if application.status not in EDITABLE:
        raise ValidationError(_("Only a draft or a returned application can be edited."))
    if not Membership.objects.filter(user=actor, enterprise_id=application.enterprise_id).exists():
        raise PermissionDenied(_("Only the enterprise's own people can edit its application."))
    with transaction.atomic():
        filed = filed_form_start(application=application)
        if filed is None:
            raise ValidationError({"answers": _("This programme has no application form.")})
        filed = FiledForm.objects.select_for_update().select_related("version").get(pk=filed.pk)
        if not isinstance(answers, dict):
            raise ValidationError({"answers": _("The answers are an object of field keys.")})
        sent = {**filed.answers, **answers} if merge else answers
        sent = {key: value for key, value in sent.items() if value is not None}
        clean, errors = sch.answers_clean(filed.version.schema, sent, complete=False)
        if errors:
            raise ValidationError(errors)
        filed.answers = clean
        filed.save(update_fields=["answers", "updated_at"])
    return filed


def filed_form_problems(*, application, start: bool = True) -> tuple[FiledForm | None, dict[str, list[str]]]:
    """What a submission would be refused for (full validation of the form); `start=False` for a
    reader who is not the enterprise (the park reads a form, it does not start one)."""
    if start:
        filed = filed_form_start(application=application)
    else:
        filed = FiledForm.objects.filter(application=application).select_related("version").first()
    if filed is None:
        return None, {}
    _clean, errors = sch.answers_clean(
        filed.version.schema, filed.answers, complete=True, documents=_documents(application)
    )
    return filed, errors


def filed_form_submit_check(application) -> None:
    """Called by the submit transition: the whole form must be valid; the reviewer's marks are then cleared.

    A 免申即享 programme's applications are made for the enterprises (tenant_schema.eligibility):
    nobody fills in a form for them, so none is asked.
    """
    if application.programme.no_application_needed:
        return
    filed, errors = filed_form_problems(application=application)
    if filed is None:
        return
    if errors:
        labels = {field["key"]: field["label"] for field in sch.fields_of(filed.version.schema)}
        raise ValidationError(
            {
                "answers": [
                    f"{labels.get(key, key)}: {message}"
                    for key, messages in errors.items()
                    for message in messages
                ]
            }
        )
    if filed.to_fix_fields or filed.to_fix_documents:
        filed.to_fix_fields, filed.to_fix_documents = [], []
        filed.save(update_fields=["to_fix_fields", "to_fix_documents", "updated_at"])


def filed_form_mark_to_fix(*, application, fields: list[str], documents: list[str]) -> FiledForm | None:
    """What the reviewer returning the application points at; the enterprise sees them highlighted."""
    filed = FiledForm.objects.filter(application=application).select_related("version").first()
    known_documents = set(application.programme.required_documents or [])
    documents = [name for name in documents if name in known_documents]
    if filed is None:
        if not documents:
            return None
        filed = filed_form_start(application=application)
        if filed is None:
            return None
    keys = {field["key"] for field in sch.fields_of(filed.version.schema)}
    filed.to_fix_fields = [key for key in fields if key in keys]
    filed.to_fix_documents = documents
    filed.save(update_fields=["to_fix_fields", "to_fix_documents", "updated_at"])
    return filed
