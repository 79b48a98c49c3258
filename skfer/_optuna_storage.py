"""Optuna storages for FERSearchCV: opened with heartbeats and retries, and
created safely by workers that start together."""

import contextlib
import time

from .exceptions import MissingDependencyError, StorageConnectionError

__all__ = ["open_storage", "optuna_quiet"]


def open_storage(storage):
    """An Optuna storage from ``FERSearchCV.storage``: a storage object as
    it is, a URL opened with heartbeats and a retry of a killed worker's
    trial (skfer chose these experimental features: users are not warned)."""
    if not isinstance(storage, str):
        return storage
    import warnings

    from optuna import storages
    from optuna.exceptions import ExperimentalWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        return _open_storage(storages, storage)


def _open_storage(storages, url):
    try:
        # heartbeats let a restarted worker mark a killed worker's trial as
        # failed (and retry it once) instead of leaving it running forever
        if hasattr(storages, "RetryHeartbeatStaleTrialCallback"):  # optuna>=4.9
            retry = {
                "heartbeat_stale_trial_callback": (
                    storages.RetryHeartbeatStaleTrialCallback(max_retry=1)
                )
            }
        else:
            retry = {
                "failed_trial_callback": storages.RetryFailedTrialCallback(max_retry=1)
            }
        return _open_rdb_storage(
            storages.RDBStorage,
            url,
            heartbeat_interval=60,
            grace_period=180,
            **retry,
        )
    except ImportError as exc:
        raise MissingDependencyError(
            f"No database driver for the storage {url!r}: pip install "
            "'skfer[tune]' (psycopg for PostgreSQL)."
        ) from exc
    except Exception as exc:  # SQLAlchemy's errors differ per driver
        raise StorageConnectionError(
            f"Cannot open the Optuna storage {url!r}: {exc}. Check "
            "the URL, that the database server is running and reachable, and "
            "that the database exists."
        ) from exc


def _open_rdb_storage(factory, url, attempts=6, **kwargs):
    """``factory(url, **kwargs)``, retried while another worker creates tables.

    The first worker on a new database creates Optuna's tables; workers that
    connect at the same moment try too, and the database refuses all but one
    (a unique or duplicate-table violation). Once that one has finished the
    tables are there, so the others only need to try again. PostgreSQL says
    so with a unique violation; SQLite with an operational error ("table ...
    already exists", or "database is locked" while another writes). Other
    operational errors (a server that is down) are not retried.
    """
    import random

    from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

    for attempt in range(attempts):
        try:
            return factory(url, **kwargs)
        except (IntegrityError, ProgrammingError, OperationalError) as exc:
            racing = not isinstance(exc, OperationalError) or any(
                text in str(exc) for text in ("already exists", "database is locked")
            )
            if not racing or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1) + random.uniform(0, 0.2))


@contextlib.contextmanager
def optuna_quiet(verbose):
    """Optuna's logging at INFO with ``verbose``, else WARNING, restored after."""
    import optuna

    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(
        optuna.logging.INFO if verbose else optuna.logging.WARNING
    )
    try:
        yield
    finally:
        optuna.logging.set_verbosity(previous)
