"""Sign-in pages in Chinese by default, English on request; lockout after repeated failures."""

from django.conf import settings

from ..conftest import PASSWORD


def test_pages_are_chinese_by_default_even_for_an_english_browser(db, client_a):
    page = client_a.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    assert '<html lang="zh-hans">' in page.content.decode()
    assert "登录" in page.content.decode()


def test_the_language_switch_gives_english_and_back(db, client_a):
    response = client_a.post("/accounts/language/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    page = client_a.get("/accounts/login/")
    assert '<html lang="en">' in page.content.decode() and "Sign in" in page.content.decode()
    client_a.post("/accounts/language/", {"language": "zh-hans"})
    assert "登录" in client_a.get("/accounts/login/").content.decode()


def test_the_language_switch_never_redirects_off_site(db, client_a):
    response = client_a.post("/accounts/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_wrong_password_is_explained_and_repeated_failures_lock_the_account(db, client_a, park_admin_a):
    wrong = {"username": park_admin_a.email, "password": "not-the-password"}
    first = client_a.post("/accounts/login/", wrong)
    assert first.status_code == 200 and first.context["form"].non_field_errors()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client_a.post("/accounts/login/", wrong)
    locked = client_a.post("/accounts/login/", {"username": park_admin_a.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "30" in locked.content.decode()


def test_password_reset_mail_links_to_the_tenant_own_host(db, client_a, park_admin_a, mailoutbox):
    response = client_a.post("/accounts/password/reset/", {"email": park_admin_a.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [park_admin_a.email]
    assert "http://alpha.localhost/accounts/password/set/" in mailoutbox[0].body
