"""Signals other apps listen to (``tasks`` may not import them: ``reports`` sits above it).

``slip_issued`` is sent once the transaction that issued a supervision slip has committed,
with ``slip_id``; ``reports`` answers it by e-mailing the slip's document to the unit.
"""

from django.dispatch import Signal

slip_issued = Signal()
