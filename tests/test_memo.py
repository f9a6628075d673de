"""govtracker/memo.py: values remembered by key, bounded, unhashable keys worked out."""

from govtracker.memo import Remembered


def test_a_value_is_worked_out_once_per_key():
    calls = []
    memo = Remembered(limit=10)

    def compute(n):
        calls.append(n)
        return n * 2

    assert [memo.get(n % 3, lambda n=n: compute(n % 3)) for n in range(9)] == [0, 2, 4] * 3
    assert calls == [0, 1, 2]


def test_the_store_is_bounded_and_starts_afresh_when_full():
    memo = Remembered(limit=3)
    for n in range(3):
        memo.get(n, lambda n=n: n)
    assert len(memo) == 3
    assert memo.get("new", lambda: "x") == "x"
    assert len(memo) == 1  # the three older entries gone, the new one kept


def test_an_unhashable_key_is_worked_out_each_time():
    calls = []
    memo = Remembered(limit=3)
    for _ in range(2):
        assert memo.get(["a", "list"], lambda: calls.append(1) or "v") == "v"
    assert len(calls) == 2 and len(memo) == 0
