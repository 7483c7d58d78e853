"""The emulator's one lock (infra/moto_patches.py, 4.): re-entrant, and a waiting stream/schedule
consumer (`deferred`) is let in before a waiting API request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from infra import moto_patches


def _wait_until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_the_lock_is_re_entrant_and_refuses_a_release_by_another_thread() -> None:
    lock = moto_patches.ConsumersFirstLock()
    with lock, lock:
        errors: list[BaseException] = []

        def other() -> None:
            try:
                lock.release()
            except RuntimeError as exc:
                errors.append(exc)

        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert len(errors) == 1
    with lock:  # fully released above: taken again
        pass


@pytest.mark.parametrize("consumer_first_in_queue", [True, False])
def test_a_waiting_consumer_goes_before_a_waiting_request(consumer_first_in_queue: bool) -> None:
    lock = moto_patches.ConsumersFirstLock()
    order: list[str] = []

    def request() -> None:
        with lock:
            order.append("request")

    def consumer() -> None:
        with moto_patches.deferred(), lock:
            order.append("consumer")

    lock.acquire()
    threads = [threading.Thread(target=request), threading.Thread(target=consumer)]
    if consumer_first_in_queue:
        threads.reverse()
    for t in threads:
        t.start()
        time.sleep(0.05)  # queued in this order
    _wait_until(lambda: lock._consumers_waiting == 1 and lock._requests_waiting == 1)
    lock.release()
    for t in threads:
        t.join(5)
    assert order == ["consumer", "request"]


def test_requests_alone_all_get_the_lock() -> None:
    lock = moto_patches.ConsumersFirstLock()
    count = [0]

    def work() -> None:
        for _ in range(200):
            with lock:
                count[0] += 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert count[0] == 1600
