"""Django's Redis cache backend, its client made once per server instead of per call.

Django's RedisCacheClient builds a new redis.Redis object for every cache operation
(`get_client()`), over the same connection pool. redis-py's constructor fills a table of
169 response callbacks each time: about 35 µs, a third of a whole GET's time on loopback,
on every cached page and on the data version every uncached page reads. A Redis object
holds no connection of its own (each command borrows one from the pool, which also
notices a fork), so one per pool is shared by every operation and every thread of a
worker, as redis-py means it to be.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # connection pool -> its Redis object

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients.setdefault(pool, self._client(connection_pool=pool))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
