"""Reads of city-wide programmes (hub operators only; views check that first)."""

from django.db.models import Count
from django.http import Http404

from .models import CityProgramme


def city_programme_list():
    """Every city-wide programme with how many tenants it goes to and how many have their copy.

    The fan-out runs after the publish commits, tenant by tenant: until `delivered_count`
    reaches `share_count` the list says delivery is in progress, not a bare "delivered 1".
    """
    return CityProgramme.objects.annotate(
        share_count=Count("shares", distinct=True), delivered_count=Count("deliveries", distinct=True)
    )


def city_programme_get(*, pk) -> CityProgramme:
    try:
        return CityProgramme.objects.get(pk=pk)
    except (CityProgramme.DoesNotExist, ValueError, TypeError):
        raise Http404("No such programme") from None
