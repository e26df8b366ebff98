"""Filtering of API collections with django-filter, and `updated_since` for clients that sync.

A list view names its FilterSet (`filterset_class`, a subclass of SyncFilterSet) and
`filter_backends = [DjangoFilterBackend]`, which also documents the filters in the
OpenAPI schema; `collection_filter` applies them to what the view's scoped selector
returned, so a filter can only narrow what the user may see.
"""

import datetime as dt

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend

SYNC_ORDERING = ("updated_at", "id")


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 moment, handed to the database in UTC.

    Python accepts offsets up to ±23:59 but PostgreSQL refuses a literal whose offset is past
    ±15:59 ("time zone displacement out of range", a 500); in UTC every valid moment is fine.
    A moment that has no UTC equivalent in years 1-9999 is a 400 like any other bad value.
    """

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(dt.UTC)
        except OverflowError:
            raise ValidationError(_("This moment is out of range."), code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class SyncFilterSet(django_filters.FilterSet):
    updated_since = UtcIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_(
            "Only rows changed at or after this moment (ISO 8601, e.g. 2026-12-01T08:00:00+08:00). The list "
            "is then ordered by (updated_at, id): keep the last row's updated_at as the next sync's start."
        ),
    )
    ordering = django_filters.ChoiceFilter(
        choices=(("updated_at", "updated_at"), ("-updated_at", "-updated_at")),
        method="order_for_sync",  # applied by collection_filter, after every other filter
        label=_(
            "`updated_at`: order by (updated_at, id), the stable order for a full sync; `-updated_at` reverses it."
        ),
    )

    def order_for_sync(self, queryset, name, value):
        return queryset


def collection_filter(*, view, queryset):
    """The view's filters applied to a scoped queryset; 400 with field errors for a bad value.

    With `updated_since` or `ordering=updated_at` the rows come in (updated_at, id) order, so
    paging through a sync neither skips nor repeats a row that did not change meanwhile.
    """
    for backend in view.filter_backends:
        queryset = backend().filter_queryset(view.request, queryset, view)
    params = view.request.query_params
    if params.get("updated_since") or params.get("ordering") in ("updated_at", "-updated_at"):
        sign = "-" if params.get("ordering") == "-updated_at" else ""
        queryset = queryset.order_by(*(sign + field for field in SYNC_ORDERING))
    return queryset


__all__ = ["DjangoFilterBackend", "SyncFilterSet", "collection_filter"]
