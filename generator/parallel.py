"""Work shared among the CPU cores: processes forked once (`Forked`), each answering the
requests sent to it with what it inherited at the fork; pages rendered by them and by
this process, chunks taken from both ends, results read as they come.

A worker's state is an argument of its loop (what it inherited, and a memo of its own),
never a module global; the requests and replies that cross between the processes are
named dataclasses.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import itertools
import os
import pickle
import queue
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context
from typing import Any, Protocol

from generator.page import Page
from generator.problems import Problem

# Below these counts a process pool costs more than it saves.
PR_SET_PDEATHSIG = 1
"""prctl(2): the signal a process gets when its parent dies."""
PARALLEL_PAGES = 400
CHUNK = 64


def workers() -> int:
    """Worker processes to use: one per CPU this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in get_all_start_methods()


class Request(Protocol):
    """Work for a forked process: `run` is called there, with what the process inherited
    (`state`) and its own memo, which lasts as long as the process."""

    def run(self, state: Any, memo: dict[str, Any]) -> Any: ...


@dataclass(frozen=True)
class Sent:
    number: int
    request: Request


@dataclass(frozen=True)
class Reply:
    number: int
    value: Any = None
    error: BaseException | None = None


POLL = 0.5
"""Seconds between checks, while waiting, that the other side is still alive."""


class Forked:
    """`count` processes forked now, inheriting `state` (never pickled); each runs
    `start(state)` once, then the requests submitted to it, in order."""

    def __init__(self, count: int, state: Any,
                 start: Callable[[Any], None] | None = None) -> None:
        context = get_context("fork")
        self.count = count
        self._replies = context.Queue()
        self._requests = [context.Queue() for _ in range(count)]
        self._processes = [
            context.Process(target=_serve, args=(state, start, requests, self._replies,
                                                 os.getpid()), daemon=True)
            for requests in self._requests]
        for process in self._processes:
            process.start()
        self._pending: dict[int, tuple[int, Future[Any]]] = {}
        self._load = [0] * count
        self._numbers = itertools.count()
        self._lock = threading.Lock()
        self._closed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def submit(self, request: Request) -> Future[Any]:
        """request.run(...) in the least busy process."""
        future: Future[Any] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the processes are closed")
            worker = min(range(self.count), key=self._load.__getitem__)
            number = next(self._numbers)
            self._pending[number] = (worker, future)
            self._load[worker] += 1
        try:
            # Pickled here, not in the queue's thread, where a failure would be lost.
            data = pickle.dumps(Sent(number, request), pickle.HIGHEST_PROTOCOL)
        except Exception:
            with self._lock:
                del self._pending[number]
                self._load[worker] -= 1
            raise
        self._requests[worker].put(data)
        return future

    def close(self) -> None:
        """Ends the processes once they have answered what they were sent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for requests in self._requests:
            requests.put(None)
        for process in self._processes:
            process.join()
        # Their replies are all in the queue before this: the reader stops at it.
        self._replies.put(pickle.dumps(None))
        self._reader.join()
        for requests in self._requests:
            requests.close()
            requests.join_thread()
        self._replies.close()

    def _read(self) -> None:
        while True:
            try:
                reply = pickle.loads(self._replies.get(timeout=POLL))
            except queue.Empty:
                if not self._lost():
                    return
                continue
            if reply is None:  # close()
                self._lost()
                return
            with self._lock:
                worker, future = self._pending.pop(reply.number)
                self._load[worker] -= 1
            if reply.error is not None:
                future.set_exception(reply.error)
            else:
                future.set_result(reply.value)

    def _lost(self) -> bool:
        """Fails what a process that ended will never answer; False once every process
        has ended and nothing is pending."""
        with self._lock:
            alive = [process.is_alive() for process in self._processes]
            lost = [(number, future) for number, (worker, future) in self._pending.items()
                    if not alive[worker]]
            for number, _ in lost:
                del self._pending[number]
        for _, future in lost:
            future.set_exception(BrokenProcessPool("a worker process ended unexpectedly"))
        return any(alive) or bool(self._pending)


def _end_with_parent(parent: int) -> None:
    """Asks Linux to kill this process when the build that forked it dies, whatever it is
    doing then (blocked on a full pipe, in a long page): a killed build leaves no helper
    behind to hold its output pipe open. Elsewhere the idle check in _serve does it."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the request was made
        os._exit(1)


def _serve(state: Any, start: Callable[[Any], None] | None, requests: Any, replies: Any,
           parent: int) -> None:
    if sys.platform.startswith("linux"):
        _end_with_parent(parent)
    memo: dict[str, Any] = {}
    if start is not None:
        start(state)
    while True:
        try:
            sent = requests.get(timeout=POLL)
        except queue.Empty:
            if os.getppid() != parent:  # the build is gone: so is its work
                return
            continue
        if sent is None:
            return
        sent = pickle.loads(sent)
        try:
            reply = Reply(sent.number, sent.request.run(state, memo))
        except BaseException as exc:  # the build raises it
            reply = Reply(sent.number, error=exc)
        try:
            # Pickled here, not in the queue's thread, where a failure would be lost.
            data = pickle.dumps(reply, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an unpicklable result or error, told as text
            data = pickle.dumps(Reply(sent.number, error=RuntimeError(repr(exc))))
        replies.put(data)


RenderOne = Callable[[Page], "bytes | Problem"]
Handle = Callable[[int, "bytes | Problem"], Any]


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
    jobs = workers() if jobs is None else jobs
    if remote is not None and len(pages) >= PARALLEL_PAGES:
        yield from _render_remote(pages, render_one, handle, remote, meanwhile)
        return
    if jobs <= 1 or len(pages) < PARALLEL_PAGES or not can_fork():
        if meanwhile is not None:
            meanwhile()
        for index, page in enumerate(pages):
            yield handle(index, render_one(page))
        return
    forked = ForkedPages(Forked(jobs - 1, PagesToRender(pages, render_one, handle)))
    try:
        yield from _render_remote(pages, render_one, handle, forked, meanwhile)
    finally:
        forked.close()


@dataclass(frozen=True)
class PagesToRender:
    """What forked copies of the build inherit to render its pages."""

    pages: Sequence[Page]
    render_one: RenderOne
    handle: Handle


@dataclass(frozen=True)
class RenderChunk:
    """Pages start..stop of the inherited PagesToRender."""

    start: int
    stop: int

    def run(self, state: PagesToRender, memo: dict[str, Any]) -> list[Any]:
        return [state.handle(index, state.render_one(state.pages[index]))
                for index in range(self.start, self.stop)]


class ForkedPages:
    """Forked copies of the build, as a Remote: they hold the pages already."""

    def __init__(self, forked: Forked) -> None:
        self.forked = forked
        self.count = forked.count

    def submit(self, start: int, pages: Sequence[Page]) -> Future[list[Any] | None]:
        return self.forked.submit(RenderChunk(start, start + len(pages)))

    def close(self) -> None:
        self.forked.close()


class Remote(Protocol):
    """Render processes: forked copies of the build (ForkedPages), or of their own
    (lean.Workers)."""

    count: int

    def submit(self, start: int, pages: Sequence[Page]) -> Future[list[Any] | None] | None:
        """pages (from `start` on) rendered and handled there; None when they cannot be
        sent (they are rendered here), a future result of None when they could not be
        rendered there (likewise)."""

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
            future = remote.submit(start, pages[start : start + CHUNK])
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
        # What the workers finished is read (and let go) between this process's own
        # chunks: results waiting to be read are the biggest thing it holds.
        while sent and sent[0][1].done():
            yield from collect()
        yield from send(AHEAD * remote.count)
        if front < back:
            back -= 1
            yield from local(back * CHUNK)
        elif sent:
            yield from collect()
    remote.close()  # the last page is made: what the workers hold goes now, not at the end


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
