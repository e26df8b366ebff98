"""The demo builder: sub-platforms' enterprises with an order in every state, both copies agreeing."""

import random

from django_tenants.utils import schema_context

from tenant_schema.network_orders.demo import network_orders_seed_demo
from tenant_schema.network_orders.models import NetworkOrder

from ..conftest import ALPHA, BETA


def test_the_demo_places_orders_in_every_state_on_both_sides(institution, buyer_a, buyer_b):
    placed = network_orders_seed_demo(rng=random.Random("test"))

    assert placed == 12  # two sub-platforms here (the demo takes up to six), six states each
    for schema in (ALPHA, BETA):
        with schema_context(schema):
            mine = dict(NetworkOrder.objects.values_list("reference", "status"))
        assert set(mine.values()) == set(NetworkOrder.Status.values)
        with schema_context(institution.tenant.schema_name):
            theirs = dict(NetworkOrder.objects.filter(reference__in=mine).values_list("reference", "status"))
        assert theirs == mine
    assert network_orders_seed_demo(rng=random.Random("test")) == 0  # run again: nothing doubled
