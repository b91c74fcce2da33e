"""Writes first: reads that must be built wait while their worker writes (issue 13, load)."""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

# How long a read may wait for the write in progress in its worker to finish (`reads_turn`).
READ_WAIT_SECONDS = float(os.environ.get("ALLIANCES_READ_WAIT", "0.05"))


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


async def reads_turn() -> None:
    """Wait until this worker's write in progress ends, at most READ_WAIT_SECONDS (a long upload must
    not stall every read)."""
    turns = _turns()
    if turns.idle.is_set():
        return
    with suppress(TimeoutError):
        await asyncio.wait_for(turns.idle.wait(), READ_WAIT_SECONDS)
