"""Reads of city-wide programmes (hub operators only; views check that first)."""

from django.http import Http404

from .models import CityProgramme


def city_programme_list():
    """Every city-wide programme with its shares and their envelopes.

    The fan-out runs after the publish commits, tenant by tenant: until `delivered_count`
    (a property over the prefetched envelopes) reaches the shares' count, the list says
    delivery is in progress, not a bare "delivered 1".
    """
    return CityProgramme.objects.prefetch_related("shares__tenant", "shares__handoff").all()


def city_programme_get(*, pk) -> CityProgramme:
    try:
        return CityProgramme.objects.get(pk=pk)
    except (CityProgramme.DoesNotExist, ValueError, TypeError):
        raise Http404("No such programme") from None


def city_programme_shares(*, city_programme: CityProgramme):
    """Its tenants in the order they were chosen, each with its envelope (the delivery's state)."""
    return city_programme.shares.select_related("tenant", "handoff").order_by("pk")
