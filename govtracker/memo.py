"""Values worked out once per key and remembered in the process, for the pages' small
pure computations (a form field as drawn, a number as formatted, a path in another
language)."""


class Remembered:
    """Up to `limit` values by key. Keys may come from requests (a query string's values),
    so the store is bounded: the rare overflow starts afresh. A key that cannot be hashed
    is worked out each time, not remembered."""

    def __init__(self, limit: int):
        self.limit = limit
        self.values: dict = {}

    def get(self, key, compute):
        """The value remembered under `key`, or `compute()`, remembered."""
        try:
            return self.values[key]
        except KeyError:
            pass
        except TypeError:
            return compute()
        if len(self.values) >= self.limit:
            self.values.clear()
        self.values[key] = value = compute()
        return value

    def clear(self) -> None:
        self.values.clear()

    def __len__(self) -> int:
        return len(self.values)
