"""The reports app's pages; the dashboards live in ``reports.views.dashboard``."""
