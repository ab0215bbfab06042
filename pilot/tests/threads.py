"""Real threads released together against PostgreSQL, for the tests marked ``postgres``.

Each call runs in its own thread with its own database connection (closed at the end, so
that the test database can be dropped); all wait at a barrier and start at once. The
result of each call, or the exception it raised, comes back in the order of the calls.
Tests marked ``postgres`` are skipped on SQLite by the root conftest (CI's PostgreSQL run
fails on any skip).
"""

import threading

from django.db import connection


def run_at_once(*calls, timeout: float = 30) -> list:
    """Run every call in its own thread, released together; return results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # the test inspects every outcome
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
