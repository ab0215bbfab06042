"""Test support: factories and shared helpers for the test suites (never imported by the
portal itself; factory_boy is a dev dependency)."""
