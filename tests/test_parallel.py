"""parallel: processes forked once, answering requests with what they inherited."""

from __future__ import annotations

import os
import pickle
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

import pytest

from generator import parallel
from generator.page import Page
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="needs fork")


@dataclass(frozen=True)
class Apply:
    value: int

    def run(self, state: Any, memo: dict[str, Any]) -> tuple[int, int, int]:
        memo["seen"] = memo.get("seen", 0) + 1
        return state(self.value), memo["seen"], os.getpid()


@dataclass(frozen=True)
class Fail:
    def run(self, state: Any, memo: dict[str, Any]) -> None:
        raise ValueError("gagal di pekerja")


@dataclass(frozen=True)
class Die:
    def run(self, state: Any, memo: dict[str, Any]) -> None:
        os._exit(3)


@dataclass(frozen=True)
class Unpicklable:
    def run(self, state: Any, memo: dict[str, Any]) -> Any:
        return lambda: None


def test_the_state_is_inherited_not_pickled_and_each_worker_keeps_a_memo() -> None:
    forked = parallel.Forked(2, lambda value: value * 10)  # a lambda: it cannot be pickled
    try:
        results = [forked.submit(Apply(n)).result(timeout=30) for n in range(6)]
    finally:
        forked.close()
    assert [value for value, _, _ in results] == [0, 10, 20, 30, 40, 50]
    pids = {pid for _, _, pid in results}
    assert os.getpid() not in pids
    for pid in pids:  # each process counts its own requests
        seen = [count for _, count, worker in results if worker == pid]
        assert seen == list(range(1, len(seen) + 1))


def test_an_error_in_a_worker_is_raised_by_the_build() -> None:
    forked = parallel.Forked(1, abs)
    try:
        with pytest.raises(ValueError, match="gagal di pekerja"):
            forked.submit(Fail()).result(timeout=30)
        with pytest.raises(RuntimeError, match="pickle"):
            forked.submit(Unpicklable()).result(timeout=30)
        assert forked.submit(Apply(2)).result(timeout=30)[1] == 1  # it goes on
    finally:
        forked.close()


def test_a_worker_that_dies_fails_what_it_had_instead_of_waiting_forever() -> None:
    forked = parallel.Forked(1, None)
    try:
        with pytest.raises(BrokenProcessPool):
            forked.submit(Die()).result(timeout=30)
    finally:
        forked.close()


def test_a_request_that_cannot_be_sent_raises_at_once() -> None:
    @dataclass(frozen=True)
    class Local:  # a class of a function's own cannot be pickled
        def run(self, state: Any, memo: dict[str, Any]) -> None: ...

    forked = parallel.Forked(1, None)
    try:
        with pytest.raises((AttributeError, pickle.PicklingError)):
            forked.submit(Local())
    finally:
        forked.close()


def test_render_pages_gives_every_page_once_from_both_ends(monkeypatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(parallel, "CHUNK", 3)
    pages = [Page(f"p{n}/", "page.html", {}) for n in range(40)]
    described = []
    results = list(parallel.render_pages(
        pages, lambda page: page.route.encode(), lambda index, data: (index, data, os.getpid()),
        jobs=2, meanwhile=lambda: described.append(True)))
    assert sorted(index for index, _, _ in results) == list(range(40))
    assert all(data == pages[index].route.encode() for index, data, _ in results)
    assert described == [True]
    assert len({pid for _, _, pid in results}) == 2  # this process and a worker


def test_helpers_die_with_a_killed_build(tmp_path) -> None:
    """Issue 20: after kill -9 of a build, its forked helpers stayed alive for half an
    hour, holding the build's output pipe open."""
    import signal
    import subprocess
    import sys
    import textwrap
    import time

    script = textwrap.dedent("""
        import os, sys, time
        sys.path.insert(0, sys.argv[1])
        from generator import parallel
        def start(state):
            time.sleep(600)  # busy in its work, never back at its idle check
        pool = parallel.Forked(2, None, start)
        print(" ".join(str(p.pid) for p in pool._processes), flush=True)
        time.sleep(600)
    """)
    build = subprocess.Popen([sys.executable, "-c", script, str(REPO)],
                             stdout=subprocess.PIPE, text=True)
    helpers = [int(pid) for pid in build.stdout.readline().split()]
    assert len(helpers) == 2
    build.send_signal(signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in helpers):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in helpers)
    build.stdout.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (ended, not yet reaped by init) is gone too.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
