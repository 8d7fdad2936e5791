"""The shared layer over HTTP: headers on pages (not on the API), language choice, no schema."""

from __future__ import annotations

from tests.web.server import Portal, portal

__all__ = ["portal"]


def test_pages_carry_the_security_headers(portal: Portal) -> None:
    response = portal.client.get("/")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    static = portal.client.get("/static/style.css")
    assert static.status_code == 200
    assert static.headers["x-content-type-options"] == "nosniff"


def test_the_api_and_its_docs_keep_their_own_headers(portal: Portal) -> None:
    assert "content-security-policy" not in portal.client.get("/docs").headers
    assert "content-security-policy" not in portal.client.get("/openapi.json").headers


def test_web_routes_stay_out_of_the_schema(portal: Portal) -> None:
    paths = portal.client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if not p.startswith(("/v1", "/healthz", "/readyz"))]


def test_language_from_accept_language_then_a_link_kept_in_a_cookie(portal: Portal) -> None:
    page = portal.client.get("/", headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert '<html lang="es">' in page.text
    assert 'href="/?lang=fr"' in page.text
    chosen = portal.client.get("/?lang=fr", headers={"Accept-Language": "es-ES"})
    assert '<html lang="fr">' in chosen.text
    assert "bouclier_lang=fr" in chosen.headers["set-cookie"]
    again = portal.client.get("/", headers={"Accept-Language": "es-ES"})
    assert '<html lang="fr">' in again.text


def test_the_pre_session_csrf_cookie_is_httponly_and_strict(portal: Portal) -> None:
    cookie = portal.client.get("/").headers["set-cookie"]
    assert "bouclier_csrf=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
