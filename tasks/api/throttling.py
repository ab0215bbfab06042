"""API throttles whose rates are read from ``settings.API_THROTTLE_RATES`` at request time.

DRF's own classes copy their rates when the module is imported, so a changed setting (an
environment per deployment, a test) would not reach them.
"""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class RatesFromSettings:
    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)


class AnonThrottle(RatesFromSettings, AnonRateThrottle):
    """Anonymous requests, counted by client address."""


class UserThrottle(RatesFromSettings, UserRateThrottle):
    """Signed-in requests (session or token), counted by account."""
