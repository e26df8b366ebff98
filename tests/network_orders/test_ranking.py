"""The hub ranks institutions on their published figures, on a page and in a CSV of the same rows."""

from decimal import Decimal

from public_schema.network.models import InstitutionEvaluation

from ..conftest import HUB_HOST, HostClient


def test_the_hub_ranks_institutions_by_rating_then_on_time_and_exports_them(
    institution, other_institution, hub_operator
):
    InstitutionEvaluation.objects.update_or_create(
        institution=institution.tenant,
        defaults={
            "orders": 4,
            "delivery_due": 4,
            "delivered_on_time": 3,
            "rated": 2,
            "rating_average": Decimal("4.50"),
        },
    )
    InstitutionEvaluation.objects.update_or_create(
        institution=other_institution.tenant,
        defaults={
            "orders": 9,
            "delivery_due": 2,
            "delivered_on_time": 2,
            "rated": 3,
            "rating_average": Decimal("4.90"),
        },
    )
    hub = HostClient(HUB_HOST)
    hub.force_login(hub_operator)
    page = hub.get("/pool/ranking/").content.decode()
    assert page.index(other_institution.tenant.name) < page.index(institution.tenant.name)
    assert "75.0" in page  # 3 of 4 on time, computed by the database
    exported = hub.get("/pool/ranking/", {"format": "csv"})
    assert exported["Content-Type"].startswith("text/csv")
    lines = exported.content.decode("utf-8-sig").strip().splitlines()
    assert lines[1].startswith(f"1,{other_institution.tenant.name},9,100.0,4.90")
    assert lines[2].startswith(f"2,{institution.tenant.name},4,75.0,4.50")
