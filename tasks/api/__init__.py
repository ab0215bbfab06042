"""The REST API at /api/v1/: reads of the plan and the filing and review of updates.

Handlers are adapters: serializers check shapes and types, permission-aware querysets pick
the rows, and every write goes through tasks.services (whose errors become 400/403).
"""
