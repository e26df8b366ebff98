"""Sessions read from Redis and written through to PostgreSQL, that survive a Redis outage.

Django's `cached_db` engine: every signed-in request reads its session from the cache
instead of the database, which took 0.5 ms of a request's CPU (bench/application_pages.py)
and a database round trip; writes go to both, so a session outlives a cache restart. The
cache keys carry the tenant's schema (django-tenants' key function) like every other key.

Django's engine lets a cache error escape from a read that missed, from the check for a free
session key and from a deletion, which would turn a Redis outage into errors on every
sign-in and sign-out. Here the database alone serves while Redis cannot be reached, and the
error is logged. A sign-out during an outage cannot remove the cached copy: it is logged as
an error, and the copy expires with the session's age (SESSION_COOKIE_AGE, 8 hours).
"""

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
            reachable = True
        except Exception:  # noqa: BLE001 — any cache failure: the database has every session
            logger.warning("Session cache unreachable; reading the session from the database", exc_info=True)
            data, reachable = None, False
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        if reachable:
            try:
                self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
            except Exception:  # noqa: BLE001
                logger.warning("Session cache unreachable; session not cached", exc_info=True)
        return data

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:  # noqa: BLE001
            logger.warning("Session cache unreachable; checking the session key in the database", exc_info=True)
        return super(cached_db.SessionStore, self).exists(session_key)

    def delete(self, session_key=None):
        # The database row goes first: a cached copy alone is found only until it expires.
        super(cached_db.SessionStore, self).delete(session_key)
        session_key = session_key or self.session_key
        if session_key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:  # noqa: BLE001
            logger.error(
                "Session cache unreachable: a deleted session stays cached until it expires", exc_info=True
            )
