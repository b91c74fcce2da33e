"""Writes first: reads that must be built wait while their worker writes (issue 13, load)."""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

# How long a read may wait for the write in progress in its worker to finish (`reads_turn`), by engine:
# a write on a server database makes more round trips, each a wait for the GIL behind the reads. With
# `bench/load.py --engine postgres --workers 2` (50 clients, 5 % writes), 0.05 s gave p95 510-900 ms
# over five runs, 0.25 s 390-480 over three, 1 s 475. ALLIANCES_READ_WAIT sets both.
READ_WAIT = {"sqlite": 0.05, "server": 0.25}
if os.environ.get("ALLIANCES_READ_WAIT"):
    READ_WAIT = dict.fromkeys(READ_WAIT, float(os.environ["ALLIANCES_READ_WAIT"]))


def read_wait(dialect: str) -> float:
    """How long a read waits at most for its worker's write in progress, on this engine."""
    return READ_WAIT["sqlite" if dialect == "sqlite" else "server"]


class _Turns:
    """Per event loop: set while no write of this worker is in progress."""

    def __init__(self) -> None:
        self.idle = asyncio.Event()
        self.idle.set()
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
    try:
        yield
    finally:
        turns.writing -= 1
        if not turns.writing:
            turns.idle.set()


async def reads_turn(limit: float) -> None:
    """Wait until this worker's write in progress ends, at most `limit` seconds (`read_wait`: a long
    upload must not stall every read)."""
    turns = _turns()
    if turns.idle.is_set():
        return
    with suppress(TimeoutError):
        await asyncio.wait_for(turns.idle.wait(), limit)
