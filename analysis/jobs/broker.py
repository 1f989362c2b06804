"""The one place that speaks to the broker beside Celery: whether it answers, how deep each queue is,
which workers beat, and taking waiting messages back out (an erased account's tasks, an unanswered
live frame).

Works on both brokers the settings allow: Redis (production) and the filesystem transport (development).
Worker heartbeats are kept beside the queues (a Redis key per worker, or a file per worker), so that any
web process can read them: the machines share nothing else but the database and the bucket.
"""

import base64
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings

HEARTBEAT_PREFIX = "fer:worker-heartbeat:"
# kombu's Redis transport keeps a queue's prioritised messages in lists named with these suffixes.
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)
_clients: dict[str, object] = {}
_clients_lock = threading.Lock()


def queues() -> tuple[str, ...]:
    """Every queue a task can wait in: the default one, then each one a route names (fer_site.settings)."""
    routed = [route["queue"] for route in settings.CELERY_TASK_ROUTES.values()]
    return tuple(dict.fromkeys([settings.CELERY_TASK_DEFAULT_QUEUE, *routed]))


def uses_redis() -> bool:
    return settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://", "unix://"))


def uses_folder() -> bool:
    return settings.CELERY_BROKER_URL.startswith("filesystem://")


def redis_client():
    """One client (a connection pool) per process; short timeouts, so a stopped broker shows at once."""
    import redis

    url = settings.CELERY_BROKER_URL
    with _clients_lock:
        if url not in _clients:
            _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        return _clients[url]


def _queue_folder() -> Path:
    return Path(str(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]))


def _heartbeat_folder() -> Path:
    return _queue_folder().parent / "workers"


def ping() -> None:
    """Raise unless the broker answers (within about a second)."""
    if uses_redis():
        redis_client().ping()
    elif uses_folder():
        if not os.access(_queue_folder(), os.W_OK):
            raise OSError(f"The broker folder {_queue_folder()} is not writable")
    else:
        from fer_site.celery import app  # here: the app's module reads the settings this module reads

        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=1)


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it was raised from) says the broker or the result backend is unreachable
    or restarting: the request was fine and a retry in a moment may succeed."""
    from kombu.exceptions import OperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError  # BusyLoadingError (AOF loading) too
    from redis.exceptions import TimeoutError as RedisTimeout

    # Celery's result consumer gives up reconnecting with a RuntimeError raised from the connection
    # error, and kombu wraps a failed publish in OperationalError: look down the chain, not at the top.
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OperationalError | RedisConnectionError | RedisTimeout | ConnectionError):
            return True
        current = current.__cause__ or current.__context__
    return False


def queue_depths(queues) -> dict[str, int]:
    """Messages waiting in each queue (not those a worker holds unacknowledged)."""
    if uses_redis():
        client = redis_client()
        pipe = client.pipeline()
        for queue in queues:
            for step in PRIORITY_STEPS:
                pipe.llen(queue if step == 0 else f"{queue}{PRIORITY_SEPARATOR}{step}")
        lengths = pipe.execute()
        per_queue = len(PRIORITY_STEPS)
        return {queue: sum(lengths[i * per_queue : (i + 1) * per_queue]) for i, queue in enumerate(queues)}
    if uses_folder():
        names = os.listdir(_queue_folder())
        return {queue: sum(name.endswith(f".{queue}.msg") for name in names) for queue in queues}
    return {}


def write_heartbeat(hostname: str, queues: list[str], ttl_s: int) -> None:
    """Say worker ``hostname`` is alive now; forgotten after ``ttl_s`` without another."""
    record = json.dumps({"hostname": hostname, "queues": queues, "host": socket.gethostname(), "at": time.time()})
    if uses_redis():
        redis_client().set(HEARTBEAT_PREFIX + hostname, record, ex=ttl_s)
    elif uses_folder():
        folder = _heartbeat_folder()
        folder.mkdir(exist_ok=True)
        partial = folder / f".{hostname}.{os.getpid()}.part"
        partial.write_text(record)
        os.replace(partial, folder / f"{hostname}.json")


def forget_heartbeat(hostname: str) -> None:
    if uses_redis():
        redis_client().delete(HEARTBEAT_PREFIX + hostname)
    elif uses_folder():
        (_heartbeat_folder() / f"{hostname}.json").unlink(missing_ok=True)


def heartbeats(max_age_s: float | None = None) -> list[dict]:
    """Every worker's last heartbeat ({"hostname", "queues", "host", "at"}), newest first."""
    records = []
    if uses_redis():
        client = redis_client()
        keys = list(client.scan_iter(match=HEARTBEAT_PREFIX + "*", count=500))
        records = [json.loads(value) for value in client.mget(keys) if value] if keys else []
    elif uses_folder() and _heartbeat_folder().is_dir():
        # Files have no expiry of their own: a killed worker's is dropped as Redis would drop its key.
        expiry = 3 * settings.FER_WORKER_HEARTBEAT_SECONDS
        for path in _heartbeat_folder().glob("*.json"):
            try:
                record = json.loads(path.read_text())
            except (OSError, ValueError):
                continue  # removed or replaced while read
            if time.time() - record["at"] > expiry:
                path.unlink(missing_ok=True)
            else:
                records.append(record)
    if max_age_s is not None:
        records = [record for record in records if time.time() - record["at"] <= max_age_s]
    return sorted(records, key=lambda record: -record["at"])


def _names_any(payload, wanted: set[str]) -> bool:
    """Whether a kombu message (its JSON envelope) is a task whose positional arguments include one of ``wanted``."""
    try:
        message = json.loads(payload)
        body = message.get("body", "")
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body).decode("utf-8", "replace")
        args = json.loads(body)[0]  # task protocol 2: [args, kwargs, embed]
        return any(str(arg) in wanted for arg in args)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return False  # not a task message of ours: left alone


def drop_messages(ids, queues: Iterable[str]) -> int:
    """Remove the messages waiting in ``queues`` whose task arguments name any of ``ids`` (an erased
    account's items, exports and webhook messages); how many. A message a worker holds already is not
    waiting: that worker finds its row gone and drops it."""
    wanted = {str(value) for value in ids}
    if not wanted:
        return 0
    return _drop(lambda payload: _names_any(payload, wanted), queues)


def withdraw(task_id: str, queue: str) -> bool:
    """Take one task's message back out of ``queue``, found by its id, if no worker has taken it yet."""
    needle = task_id.encode()
    return _drop(lambda payload: needle in payload, [queue], limit=1) == 1


def _drop(matches: Callable[[bytes], bool], queues: Iterable[str], *, limit: int | None = None) -> int:
    """Remove up to ``limit`` (None: every) waiting message in ``queues`` that ``matches``; how many."""
    dropped = 0
    if uses_redis():
        client = redis_client()
        for queue in queues:
            for step in PRIORITY_STEPS:
                name = queue if step == 0 else f"{queue}{PRIORITY_SEPARATOR}{step}"
                for payload in client.lrange(name, 0, -1):
                    if matches(payload):
                        dropped += client.lrem(name, 1, payload)
                        if limit is not None and dropped >= limit:
                            return dropped
    elif uses_folder():
        for queue in queues:
            for path in _queue_folder().glob(f"*.{queue}.msg"):
                try:
                    payload = path.read_bytes()
                except FileNotFoundError:  # a worker took it meanwhile
                    continue
                if matches(payload):
                    try:
                        path.unlink()
                    except FileNotFoundError:  # a worker took it meanwhile
                        continue
                    dropped += 1
                    if limit is not None and dropped >= limit:
                        return dropped
    return dropped
