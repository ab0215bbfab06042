"""Writes: every state change of the programme goes through a function in this package."""
