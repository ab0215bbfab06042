import pytest

from pilot.testing.february import build_february


@pytest.fixture
def february(plan, personas, clock):
    """The hand-counted February 2021 of ``pilot/testing/february.py``."""
    return build_february(plan)
