"""The store of results shared by the sessions (ui.stores)."""

from ui.stores import SharedStore


def test_a_store_keeps_the_most_recently_used_values_up_to_its_size():
    store = SharedStore(2)
    made = []

    def make(value):
        def run():
            made.append(value)
            return value
        return run

    assert store.get("a", make(1)) == 1
    assert store.get("b", make(2)) == 2
    assert store.get("a", make(99)) == 1, "found, not made again"
    assert store.get("c", make(3)) == 3  # drops "b", the least recently used
    assert store.find("b") is None and store.find("a") == 1 and store.find("c") == 3
    assert made == [1, 2, 3]


def test_put_replaces_a_value_and_returns_it():
    store = SharedStore(4)
    assert store.put(("k", 1), "first") == "first"
    assert store.put(("k", 1), "second") == "second"
    assert store.find(("k", 1)) == "second"
