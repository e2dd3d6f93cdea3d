"""The per-process stores of rendered output stay within their number and their bytes."""

from feeds.views import RenderedFeed
from timeline.memo import Memo, weight


def test_the_oldest_values_make_way_once_the_bytes_are_spent():
    memo = Memo(10, max_bytes=100)
    for key in "abcd":
        memo.put(key, key * 30)
    assert memo.get("a") is None and memo.get("d") == "d" * 30
    assert memo.bytes == 90 and len(memo) == 3
    memo.get("b")  # used recently: kept over c
    memo.put("e", "e" * 30)
    assert memo.get("c") is None and memo.get("b") == "b" * 30
    memo.put("b", "B" * 5)  # replaced: its old size is given back
    assert memo.bytes == 65


def test_a_value_larger_than_the_whole_store_is_not_kept_and_evicts_nothing():
    memo = Memo(10, max_bytes=100)
    memo.put("small", b"x" * 10)
    memo.put("huge", b"x" * 101)
    assert memo.get("huge") is None and memo.get("small") == b"x" * 10


def test_without_a_byte_budget_only_the_number_counts():
    memo = Memo(2)
    for key in "abc":
        memo.put(key, key * 10**6)
    assert len(memo) == 2 and memo.get("a") is None


def test_rendered_pages_and_feeds_weigh_what_they_hold():
    body = b"<feed>" + b"x" * 5000 + b"</feed>"
    feed = RenderedFeed(body=body, etag='"abc"', last_modified=0)
    assert len(body) <= weight(feed) < len(body) + 200
    assert weight((200, b"y" * 4000)) >= 4000
