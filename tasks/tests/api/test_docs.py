"""The schema and its documentation pages, served without any CDN."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)""")


def _urls(html: str, path: str) -> list[str]:
    # Swagger UI's start-up script comes from the page itself (``?script``), not inline.
    found = [(a or b).replace("&amp;", "&") for a, b in URL.findall(html)]
    return [url for url in found if not url.startswith(f"{path}?")]


@pytest.fixture
def client(clients):
    return clients.member


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_documentation_page_loads_its_scripts_from_our_static_files(path, client):
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/" in html
    assert all(url.startswith("/static/") for url in _urls(html, path)), _urls(html, path)
    assert "//" not in "".join(url.removeprefix("/static/") for url in _urls(html, path))
    assert "cdn" not in html.lower()


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_every_asset_of_the_documentation_is_a_vendored_file(path, client):
    html = client.get(path).content.decode()
    for url in _urls(html, path):
        assert finders.find(url.removeprefix("/static/").split("?")[0]), url


def test_the_openapi_schema_describes_the_update_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/updates/{id}/submit/" in schema["paths"]


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_documentation_pages_send_an_anonymous_visitor_to_the_login_page(path, clients):
    response = clients.anonymous.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_the_schema_is_refused_to_an_anonymous_client(clients):
    response = clients.anonymous.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert "paths" not in response.content.decode()


def test_documentation_pages_run_no_inline_script(clients):
    for path in ("/api/docs/", "/api/redoc/"):
        html = clients.member.get(path).content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], path


def test_swagger_ui_start_up_script_is_served_as_javascript(clients):
    response = clients.member.get("/api/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in response.content.decode()


def test_the_schema_is_built_once_per_language_and_served_the_same(client, monkeypatch):
    from drf_spectacular.generators import SchemaGenerator

    from tasks.api.docs import CachedSchemaView

    monkeypatch.setattr(CachedSchemaView, "built", {})
    builds = []
    original = SchemaGenerator.get_schema

    def counting(self, *args, **kwargs):
        builds.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting)

    first = client.get("/api/schema/?format=json")
    second = client.get("/api/schema/?format=json")
    english = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en")

    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert b'"/api/v1/updates/"' in first.content
    assert english.status_code == 200
    assert len(builds) == 2  # once in Chinese, once in English
