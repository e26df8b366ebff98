"""The current tenant comes from the connection: no query on a request's site, one per schema context."""

from django.db import connection
from django_tenants.utils import schema_context

from tenant_schema.network_orders.selectors import current_tenant

from ..conftest import ALPHA


def test_on_a_site_the_tenant_is_the_requests_own_without_a_query(db, tenant_a, django_assert_num_queries):
    connection.set_tenant(tenant_a)
    try:
        with django_assert_num_queries(0):
            assert current_tenant() is tenant_a
            assert current_tenant() is tenant_a
    finally:
        connection.set_schema_to_public()


def test_under_a_schema_context_the_row_is_read_once(db, tenant_a, django_assert_num_queries):
    with schema_context(ALPHA):
        assert current_tenant().pk == tenant_a.pk  # read here, once
        with django_assert_num_queries(0):
            assert current_tenant().pk == tenant_a.pk
    with schema_context("public"):
        assert current_tenant().schema_name == "public"  # a new context is read afresh
