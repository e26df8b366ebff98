"""Outsiders: another institution's product, the hub's pages, a park's people on an institution's site."""

from ..conftest import INST_A, make_user
from .conftest import admitted, product


def test_institution_a_gets_404_for_institution_bs_product(
    client_ia, inst_a, inst_b, inst_admin_a, inst_admin_b, hub_operator
):
    admitted(inst_b, inst_admin_b, hub_operator)
    theirs = product(inst_b, inst_admin_b, name="乙的产品")
    mine = product(inst_a, inst_admin_a, name="甲的产品", is_published=False)
    client_ia.force_login(inst_admin_a)
    assert client_ia.get(f"/api/v1/institution/products/{mine.pk}/").status_code == 200
    for method, path in (
        ("get", f"/api/v1/institution/products/{theirs.pk}/"),
        ("patch", f"/api/v1/institution/products/{theirs.pk}/"),
        ("post", f"/api/v1/institution/products/{theirs.pk}/unpublish/"),
        ("get", f"/products/{theirs.pk}/edit/"),
        ("post", f"/products/{theirs.pk}/unpublish/"),
    ):
        answer = getattr(client_ia, method)(path, {}, content_type="application/json")
        assert answer.status_code == 404, (method, path, answer.status_code)
    assert [p["name"] for p in client_ia.get("/api/v1/institution/products/").json()] == ["甲的产品"]
    theirs.refresh_from_db()
    assert theirs.is_published


def test_an_institution_user_cannot_reach_the_hub(client_ia, inst_admin_a, hub_client):
    client_ia.force_login(inst_admin_a)
    # Their session belongs to their own site: on the hub they are nobody.
    hub_client.cookies = client_ia.cookies
    for path in ("/pool/", f"/pool/{INST_A}/", "/api/v1/hub/institutions/"):
        answer = hub_client.get(path)
        assert answer.status_code in (302, 401, 403), (path, answer.status_code)
        assert answer.status_code != 200


def test_a_hub_operator_is_a_stranger_on_an_institutions_site(client_ia, hub_operator, hub_client):
    hub_client.force_login(hub_operator)
    client_ia.cookies = hub_client.cookies
    assert client_ia.get("/api/v1/institution/profile/").status_code == 401


def test_a_sub_platform_user_cannot_reach_the_institution_site_api(client_a, park_admin_a, client_ia, inst_a):
    client_a.force_login(park_admin_a)
    client_ia.cookies = client_a.cookies
    assert client_ia.get("/api/v1/institution/products/").status_code == 401
    assert client_ia.get("/").status_code == 302  # to the institution's own sign-in
    # An account in the institution's schema without an institution role is no insider either.
    stray = make_user(INST_A)
    client_ia.force_login(stray)
    assert client_ia.get("/api/v1/institution/products/").status_code == 403
    assert client_ia.get("/products/").status_code == 404


def test_the_park_site_is_unchanged_for_its_people(client_a, park_admin_a):
    client_a.force_login(park_admin_a)
    assert client_a.get("/").status_code == 200
    assert client_a.get("/api/v1/institution/products/").status_code == 404
