"""Sessions read from Redis and written through to PostgreSQL, that survive a Redis outage.

Django's `cached_db` engine: every signed-in request reads its session from the cache
instead of the database, which took 0.5 ms of a request's CPU (bench/application_pages.py)
and a database round trip; writes go to both, so a session outlives a cache restart. The
cache keys carry the tenant's schema (django-tenants' key function) like every other key.

Django's engine lets a cache error escape from a read that missed, from the check for a free
session key and from a deletion, which would turn a Redis outage into errors on every
sign-in and sign-out. Here the database alone serves while Redis cannot be reached, and the
error is logged.

A sign-out must hold even if it could not reach Redis: the cached copy would otherwise come
back with Redis (a restart from its snapshot, a network partition healing) and sign a copied
cookie in for the rest of the session's 8 hours. So a sign-out first turns the session's row
into a revocation (an empty session expiring at REVOKED, which `clearsessions` leaves alone),
then deletes the cached copy, and only then the row. A revocation left behind by a cache
outage is applied by whichever request next finds the cache reachable: cached copies are
trusted only while the cache holds a short lease (APPLIED_KEY, REVOCATION_CHECK_SECONDS)
that is set after the pending revocations were deleted from the cache. The lease travels in
the same round trip as the session, and renewing it costs one indexed query per schema every
few seconds. A cache that went away for less than the lease's life can serve a revoked copy
until the lease runs out (at most REVOCATION_CHECK_SECONDS); any longer outage, none.
"""

import datetime
import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger(__name__)

# The expiry a revoked session's row carries until its cached copy is known to be gone: far
# in the future so that `clearsessions` does not remove the revocation before it is applied.
REVOKED = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)
# Present in the cache (per schema) while every revocation has been applied to it.
APPLIED_KEY = "parkhub.sessions.revocations-applied"
REVOCATION_CHECK_SECONDS = 5
_REVOCATIONS_PER_SWEEP = 1000


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            found = self._cache.get_many([self.cache_key, APPLIED_KEY])
            reachable = True
        except Exception:  # noqa: BLE001 — any cache failure: the database has every session
            logger.warning("Session cache unreachable; reading the session from the database", exc_info=True)
            found, reachable = {}, False
        if reachable and APPLIED_KEY not in found:
            # The cache may hold copies of sessions revoked while it was away: apply the
            # revocations, and read this session from the database.
            reachable = self._revocations_apply()
            found = {}
        data = found.get(self.cache_key)
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored or stored.expire_date == REVOKED:
            return {}
        data = self.decode(stored.session_data)
        if reachable:
            try:
                self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
            except Exception:  # noqa: BLE001
                logger.warning("Session cache unreachable; session not cached", exc_info=True)
        return data

    def _revocations_apply(self) -> bool:
        """Delete the cached copies of revoked sessions, then their rows, then renew the lease.

        False if the cache could not be reached (the revocations stay for the next try).
        """
        revoked = list(
            self.model.objects.filter(expire_date=REVOKED).values_list("session_key", flat=True)[
                :_REVOCATIONS_PER_SWEEP
            ]
        )
        try:
            if revoked:
                self._cache.delete_many([self.cache_key_prefix + key for key in revoked])
        except Exception:  # noqa: BLE001
            logger.warning("Session cache unreachable; revocations not applied yet", exc_info=True)
            return False
        if revoked:
            self.model.objects.filter(session_key__in=revoked, expire_date=REVOKED).delete()
            logger.info("Applied %d session revocations left by a cache outage", len(revoked))
        if len(revoked) < _REVOCATIONS_PER_SWEEP:
            try:
                self._cache.set(APPLIED_KEY, 1, REVOCATION_CHECK_SECONDS)
            except Exception:  # noqa: BLE001
                logger.warning("Session cache unreachable; revocation lease not renewed", exc_info=True)
                return False
        return True

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:  # noqa: BLE001
            logger.warning(
                "Session cache unreachable; checking the session key in the database", exc_info=True
            )
        return super(cached_db.SessionStore, self).exists(session_key)

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        if session_key is None:
            return
        # The row becomes a revocation first, so that no request re-caches the session from
        # the database between the two deletions, and so that it outlives a cache outage.
        self.model.objects.filter(session_key=session_key).update(
            expire_date=REVOKED, session_data=self.encode({})
        )
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:  # noqa: BLE001
            logger.error(
                "Session cache unreachable: the session is revoked in the database and its cached copy "
                "is deleted when the cache returns",
                exc_info=True,
            )
            return
        self.model.objects.filter(session_key=session_key).delete()
