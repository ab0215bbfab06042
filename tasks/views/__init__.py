"""The tasks app's pages, one module per topic; ``home`` stays importable from here."""

from tasks.views.reporter import home

__all__ = ["home"]
