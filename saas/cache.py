"""Django's Redis cache, keeping one client per connection pool instead of building one per operation.

Django's RedisCacheClient makes a new redis.Redis for every get and set; its constructor
fills a table of 80-odd response callbacks, which was 40% of the CPU of a cache read on the
enterprise pages (bench/application_pages.py), and a signed-in page reads twice (session and
page). A redis.Redis over a connection pool is safe to share between threads.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient
