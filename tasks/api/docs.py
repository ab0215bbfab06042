"""The API's documentation pages, with every asset served from our own static files.

Both run under the portal's Content-Security-Policy: no inline script without the
request's nonce (Swagger UI's start-up script is served as a separate script, Redoc's
is a static file).
"""

from django.http import HttpResponse
from django.template import engines
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.response import Response

# drf-spectacular's Redoc page links web fonts on fonts.googleapis.com; the portal must not
# reach any CDN, so the head is replaced (Redoc falls back to the system fonts).
REDOC_PAGE = """{% extends "drf_spectacular/redoc.html" %}{% load static %}
{% block head %}
<title>{{ title|default:"Redoc" }}</title>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body { margin: 0; padding: 0; }</style>
{% endblock head %}
{% block body %}
<redoc spec-url="{{ schema_url }}"></redoc>
<script src="{{ redoc_standalone }}"></script>
{% endblock body %}"""


class LocalSwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI whose start-up script is fetched from this view (``?script``)."""


class LocalRedocView(SpectacularRedocView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        context = super().get(request, *args, **kwargs).data
        return HttpResponse(engines["django"].from_string(REDOC_PAGE).render(context, request))


class CachedSchemaView(SpectacularAPIView):
    """The OpenAPI schema, built once per process, language and API version.

    It depends on the code alone (``SERVE_PUBLIC``: the same for every reader), and
    building it walks every endpoint and serializer (~0.5 s a request otherwise).
    """

    built: dict = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (translation.get_language(), version, self.serve_public)
        if key not in self.built:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            self.built[key] = generator.get_schema(request=request, public=self.serve_public)
        filename = self._get_filename(request, version)
        return Response(
            data=self.built[key],
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )
