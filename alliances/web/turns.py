"""Writes first: reads that must be built wait while their worker writes (issue 13, load)."""

from __future__ import annotations

import asyncio
import contextvars
import os
import threading
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

# How long a read may wait for the write in progress in its worker to finish (`reads_turn`), by engine:
# a write on a server database makes more round trips, each a wait for the GIL behind the reads. With
# `bench/load.py --engine postgres --workers 2` (50 clients, 5 % writes), 0.05 s gave p95 510-900 ms
# over five runs, 0.25 s 390-480 over three, 1 s 475. ALLIANCES_READ_WAIT sets both.
READ_WAIT = {"sqlite": 0.05, "server": 0.25}
if os.environ.get("ALLIANCES_READ_WAIT"):
    READ_WAIT = dict.fromkeys(READ_WAIT, float(os.environ["ALLIANCES_READ_WAIT"]))


# How long, in all, a read already under way may pause at its statements for a write that began after
# it (`pause_for_writes`). `bench/load.py --engine postgres --workers 2`, side by side: none gave p95
# 257-352 ms, p99 1,380-1,470 and writes p95 0.9-2.1 s; 0.01 s gave p95 245-275, p99 390-425, writes
# p95 300-400 ms; 0.03 s p95 296-311; 0.005 s 394. On SQLite a write is a few statements and 0.01 s
# cost p95 115-119 -> 127-137 ms: none there. ALLIANCES_READ_PAUSE sets both.
READ_PAUSE = {"sqlite": 0.0, "server": 0.01}
if os.environ.get("ALLIANCES_READ_PAUSE"):
    READ_PAUSE = dict.fromkeys(READ_PAUSE, float(os.environ["ALLIANCES_READ_PAUSE"]))


def read_wait(dialect: str) -> float:
    """How long a read waits at most for its worker's write in progress, on this engine."""
    return READ_WAIT["sqlite" if dialect == "sqlite" else "server"]


def read_pause(dialect: str) -> float:
    """How long in all a read under way may pause for writes that began after it, on this engine."""
    return READ_PAUSE["sqlite" if dialect == "sqlite" else "server"]


class _Turns:
    """Per event loop: set while no write of this worker is in progress."""

    def __init__(self) -> None:
        self.idle = asyncio.Event()
        self.idle.set()
        self.quiet = threading.Event()  # the same, for the threads of reads under way
        self.quiet.set()
        self.writing = 0


_TURNS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Turns] = weakref.WeakKeyDictionary()


def _turns() -> _Turns:
    loop = asyncio.get_running_loop()
    turns = _TURNS.get(loop)
    if turns is None:
        turns = _TURNS[loop] = _Turns()
    return turns


@asynccontextmanager
async def writing_first() -> AsyncIterator[None]:
    """Reads arriving while this worker writes wait a moment (`reads_turn`) (issue 13, load).

    Writes queue on SQLite's one write lock; with reads sharing the worker's core and GIL, a write held
    the lock for about 40 ms of wall time for 6 ms of its own work, and 50 clients piled up behind it
    (`bench/load.py --workers 2`: writes p50 about 1 s, p95 of all requests 400-550 ms). With reads
    holding back, p95 fell to 160-240 ms at the cost of a read p50 of about 50 ms instead of 5.
    Letting cache hits through (0.3 ms each, but 85 % of the requests) kept the write waiting: p95
    290-670 ms.
    """
    turns = _turns()
    turns.writing += 1
    turns.idle.clear()
    turns.quiet.clear()
    try:
        yield
    finally:
        turns.writing -= 1
        if not turns.writing:
            turns.idle.set()
            turns.quiet.set()


async def reads_turn(limit: float, pause: float = 0.0) -> None:
    """Wait until this worker's write in progress ends, at most `limit` seconds (`read_wait`: a long
    upload must not stall every read); later writes may pause this read for `pause` seconds in all
    (`read_pause`)."""
    turns = _turns()
    _READING.set(_Reading(turns, pause))
    if turns.idle.is_set():
        return
    with suppress(TimeoutError):
        await asyncio.wait_for(turns.idle.wait(), limit)


class _Reading:
    """A read's worker turns, and how long it may still pause for a write (`pause_for_writes`)."""

    def __init__(self, turns: _Turns, left: float) -> None:
        self.turns, self.left = turns, left


_READING: contextvars.ContextVar[_Reading | None] = contextvars.ContextVar("reading", default=None)


def pause_for_writes(*_: Any) -> None:
    """Before each statement of a read under way, let the write in progress in its worker go first.

    A write makes 6 to 20 round trips and must win the GIL back from the worker's other threads after
    each. With three Python threads busy beside it, an accept took 230-350 ms instead of 20, and
    while it ran the worker's new reads waited at the door (`reads_turn`). So reads already under way
    also pause at their next statement, for at most `read_pause` in all. Never on the event loop's
    thread (it runs the write's own steps), never in a write (it has no `_READING`)."""
    reading = _READING.get()
    if reading is None or reading.left <= 0 or reading.turns.quiet.is_set():
        return
    with suppress(RuntimeError):
        asyncio.get_running_loop()
        return  # the event loop's own thread
    start = time.monotonic()
    reading.turns.quiet.wait(reading.left)
    reading.left -= time.monotonic() - start


def install(engine: Engine) -> None:
    """Make this engine's reads pause for writes (`pause_for_writes`); once per engine."""
    if not event.contains(engine, "before_cursor_execute", pause_for_writes):
        event.listen(engine, "before_cursor_execute", pause_for_writes)
