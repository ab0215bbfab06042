"""/api/v1/ (the API) and /api/schema/, /api/docs/, /api/redoc/ (its documentation).

Each app serves its own endpoints (``tasks/api/urls.py``, ``reports/api/urls.py``); this
module, above both, puts them under one namespace. The schema and the documentation pages
are for signed-in users only: the schema answers 401/403 to others (``SERVE_PERMISSIONS``),
the pages send them to the login page.
"""

from django.contrib.auth.decorators import login_required
from django.urls import include, path

from tasks.api import docs

app_name = "api"

urlpatterns = [
    path("v1/", include("tasks.api.urls")),
    path("v1/", include("reports.api.urls")),
    path("schema/", docs.CachedSchemaView.as_view(), name="schema"),
    path(
        "docs/",
        login_required(docs.LocalSwaggerView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path(
        "redoc/",
        login_required(docs.LocalRedocView.as_view(url_name="api:schema")),
        name="redoc",
    ),
]
