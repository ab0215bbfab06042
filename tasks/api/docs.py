"""The API's documentation pages, with every asset served from our own static files.

Both run under the portal's Content-Security-Policy: no inline script without the
request's nonce (Swagger UI's start-up script is served as a separate script, Redoc's
is a static file).
"""

from django.http import HttpResponse
from django.template import engines
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

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
