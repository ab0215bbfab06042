"""The schema and its documentation pages, served without any CDN."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)""")


def _urls(html: str) -> list[str]:
    return [a or b for a, b in URL.findall(html)]


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_documentation_page_loads_its_scripts_from_our_static_files(path, client):
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/" in html
    assert all(url.startswith("/static/") for url in _urls(html)), _urls(html)
    assert "//" not in "".join(url.removeprefix("/static/") for url in _urls(html))
    assert "cdn" not in html.lower()


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_every_asset_of_the_documentation_is_a_vendored_file(path, client):
    html = client.get(path).content.decode()
    for url in _urls(html):
        assert finders.find(url.removeprefix("/static/").split("?")[0]), url


def test_the_openapi_schema_describes_the_update_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/updates/{id}/submit/" in schema["paths"]
