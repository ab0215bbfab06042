"""Whether an exception means the task queue (Redis) could not take a job."""

from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError


def is_broker_error(exc: Exception) -> bool:
    return isinstance(exc, KombuOperationalError | RedisConnectionError | OSError)
