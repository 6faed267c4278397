"""Work shared among the CPU cores: pages rendered in forked processes, chunks of work
taken from both ends, results read as they come."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any, Protocol

from generator.page import Page
from generator.problems import Problem

# Below these counts a process pool costs more than it saves.
PARALLEL_PAGES = 400
CHUNK = 64


def workers() -> int:
    """Worker processes to use: one per CPU this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


RenderOne = Callable[[Page], "bytes | Problem"]
Handle = Callable[[int, "bytes | Problem"], Any]
# What each render worker inherits from the parent (fork): the pages and what to do.
_worker_pages: tuple[Sequence[Page], RenderOne, Handle] | None = None


def render_pages(pages: Sequence[Page], render_one: RenderOne, handle: Handle,
                 jobs: int | None = None,
                 meanwhile: Callable[[], None] | None = None,
                 remote: Remote | None = None) -> Iterator[Any]:
    """handle(index, bytes or Problem) for each page, run where the page was rendered:
    when there are many pages, in `jobs` processes (this one and forked workers), so
    that the bytes are written there and only `handle`'s small result travels back.
    This process works too (one process fewer holds a copy of the site): the workers
    take chunks from the start, this process from the end, until they meet, reading the
    workers' results as they come. Results come in no particular order. `meanwhile` is
    called in this process once the workers have started, before any result comes.
    With `remote` (lean.Workers), its processes take the chunks from the start instead
    of forked copies of this one; what they return is what `handle` would."""
    global _worker_pages
    jobs = workers() if jobs is None else jobs
    if remote is not None and len(pages) >= PARALLEL_PAGES:
        yield from _render_remote(pages, render_one, handle, remote, meanwhile)
        return
    if jobs <= 1 or len(pages) < PARALLEL_PAGES or "fork" not in _start_methods():
        if meanwhile is not None:
            meanwhile()
        for index, page in enumerate(pages):
            yield handle(index, render_one(page))
        return
    _worker_pages = (pages, render_one, handle)
    try:
        with ProcessPoolExecutor(jobs - 1, mp_context=get_context("fork")) as pool:
            queued = deque((start, pool.submit(_render_chunk, start))
                           for start in range(0, len(pages), CHUNK))
            if meanwhile is not None:
                meanwhile()
            while queued:
                # What the workers finished is read (and let go) between this process's
                # own chunks: results waiting to be read are the biggest thing it holds.
                while queued and queued[0][1].done():
                    yield from queued.popleft()[1].result()
                if not queued:
                    break
                start, future = queued[-1]
                if future.cancel():
                    queued.pop()
                    yield from _render_chunk(start)
                else:  # a worker has it: the rest are theirs
                    yield from queued.popleft()[1].result()
    finally:
        _worker_pages = None


class Remote(Protocol):
    """Render processes of their own (lean.Workers)."""

    count: int

    def submit(self, pages: Sequence[Page]) -> Future[list[Any] | None] | None: ...

    def close(self) -> None: ...


AHEAD = 2
"""Chunks each remote worker has in hand, to start the next one at once."""
MEANWHILE = 24
"""Chunks each remote worker is sent before this process does `meanwhile` (at most
half of them): enough to keep it busy while this process describes the pages."""


def _render_remote(pages: Sequence[Page], render_one: RenderOne, handle: Handle,
                   remote: Remote, meanwhile: Callable[[], None] | None) -> Iterator[Any]:
    def local(start: int) -> list[Any]:
        return [handle(start + offset, render_one(page))
                for offset, page in enumerate(pages[start : start + CHUNK])]

    front, back = 0, (len(pages) + CHUNK - 1) // CHUNK
    sent: deque[tuple[int, Future[list[Any] | None]]] = deque()

    def send(ahead: int) -> Iterator[Any]:
        nonlocal front
        while len(sent) < ahead and front < back:
            start, front = front * CHUNK, front + 1
            future = remote.submit(pages[start : start + CHUNK])
            if future is None:  # a page without a recipe: rendered here
                yield from local(start)
            else:
                sent.append((start, future))

    def collect() -> list[Any]:
        start, future = sent.popleft()
        results = future.result()
        return local(start) if results is None else results

    if meanwhile is not None:
        yield from send(min(MEANWHILE * remote.count, back // 2))
        meanwhile()
    while sent or front < back:
        while sent and sent[0][1].done():
            yield from collect()
        yield from send(AHEAD * remote.count)
        if front < back:
            back -= 1
            yield from local(back * CHUNK)
        elif sent:
            yield from collect()
    remote.close()  # the last page is made: what the workers hold goes now, not at the end


def _start_methods() -> list[str]:
    from multiprocessing import get_all_start_methods
    return get_all_start_methods()


def _render_chunk(start: int) -> list[Any]:
    assert _worker_pages is not None
    pages, render_one, handle = _worker_pages
    return [handle(start + offset, render_one(page))
            for offset, page in enumerate(pages[start : start + CHUNK])]


def in_turn(sent: deque[Future[Any]]) -> Iterator[Any]:
    """The futures' results in order, each let go once read."""
    while sent:
        yield sent.popleft().result()


def chunks(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class Sized:
    """An iterator with a known length, for a progress bar."""

    def __init__(self, items: Iterable, length: int) -> None:
        self.items, self.length = items, length

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator:
        return iter(self.items)
