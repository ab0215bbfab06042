"""The report endpoints of the API: dashboard figures, report runs and their files."""
