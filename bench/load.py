"""Load benchmark (not a test): 50 concurrent authenticated clients on loopback for a bounded time.

    python bench/load.py                           # SQLite (WAL), 4 uvicorn workers, 50 clients, 30 s
    python bench/load.py --clients 50 --seconds 60 --workers 4 --write-share 0.05
    ALLIANCES_TEST_PG_URL=postgresql+psycopg://… python bench/load.py --engine postgres

A copy of the bundled observatory is built in a temporary folder (or a fresh PostgreSQL database), with
an analyst account, its bearer token and pending candidates to accept. Each client loops until the
deadline: mostly reads (lists, searches, profiles, matrix, trends, overview, detail pages), and a share
of writes (accepting a distinct candidate, or correcting one). It prints throughput, p50 / p95 / p99 and
the errors (any 5xx, timeout or unexpected status). Target: 0 errors (no 503 "locked") and p95 <= 250 ms.

The bench measures the server, so by default the clients are a light HTTP/1.1 keep-alive client over
asyncio streams (`RawConnection`: same mix, same 50 clients and connections, same error accounting);
`--client httpx` uses httpx as before. It also prints the CPU the server's workers and the client
spent per request, and the load average: on a shared machine, server CPU per request is the figure
contention does not distort.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

READS = [
    "/api/v1/alliances",
    "/api/v1/alliances?technology=ai&stage=research",
    "/api/v1/alliances?q=sanofi",
    "/api/v1/alliances?page=3&sort=-amount",
    "/api/v1/alliances/{alliance}",
    "/api/v1/organisations",
    "/api/v1/organisations?kind=big_tech",
    "/api/v1/organisations/{organisation}",
    "/api/v1/matrix",
    "/api/v1/trends",
    "/api/v1/overview",
    "/api/v1/projects",
    "/alliances",
    "/alliances/{alliance}",
    "/organisations/Sanofi",
    "/healthz",
]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and all its descendants so far (Linux /proc), in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total, parents = 0.0, {pid}
    stats = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats.append((int(entry.name), int(fields[1]), int(fields[11]) + int(fields[12])))
    changed = True
    while changed:  # uvicorn's supervisor, its workers (and any process they start)
        changed = False
        for child, parent, _ in stats:
            if parent in parents and child not in parents:
                parents.add(child)
                changed = True
    for child, _, ticks in stats:
        if child in parents:
            total += ticks / tick
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(url: str, candidates: int) -> str:
    """Load the bundled data, an analyst and pending candidates; return the analyst's token."""
    from alliances.auth.accounts import add_user, issue
    from alliances.store.bundle import init_database
    from alliances.store.candidates import store_extraction
    from alliances.store.db import Database

    db = Database.open(url)
    init_database(db)
    record = {
        "parties": [{"name": "Servier"}, {"name": "Owkin"}],
        "type": "rd_collaboration",
        "technologies": ["ai"],
        "stages": ["research"],
        "date": "2024-03-01",
        "confidence": 0.9,
        "evidence": "Servier and Owkin sign a research agreement.",
    }
    with db.session() as s:
        for i in range(candidates):
            store_extraction(s, content_hash=f"load-{i}", records=[record], title=f"Press release {i}")
        user = add_user(
            s, "load@example.org", "a long load-test password", organisation="Sanofi", role="analyst"
        )
        token = issue(s, user).secret
    db.dispose()
    return token


HITS: list[int] = []  # response-cache hits of each drive (raw client only)
Send = Callable[[str, str, "dict[str, str] | None"], Awaitable[int]]


async def client(
    send: Send, deadline: float, write_share: float, todo: list[int], seed: int, out: list
) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        if todo and rng.random() < write_share:
            cid = todo.pop()
            if rng.random() < 0.5:
                method, path, body = "POST", f"/api/v1/candidates/{cid}/accept", {}
            else:
                method, path, body = "PATCH", f"/api/v1/candidates/{cid}", {"type": "joint_venture"}
        else:
            method, body = "GET", None
            path = rng.choice(READS).format(alliance=rng.randint(1, 300), organisation=rng.randint(1, 300))
        start = time.perf_counter()
        try:
            status: int | str = await send(method, path, body)
        except (
            TimeoutError,
            httpx.HTTPError,
            OSError,
            EOFError,
            ValueError,
            asyncio.LimitOverrunError,
        ) as exc:
            status = type(exc).__name__
        out.append((method, path, status, (time.perf_counter() - start) * 1000))


class RawConnection:
    """A minimal HTTP/1.1 keep-alive client over one asyncio stream: it writes the request bytes and
    reads the status line, the headers and a Content-Length (or chunked) body, nothing more. httpx
    spent ~2-3 ms of CPU per request on the same two cores as the server; this spends a fraction."""

    def __init__(self, host: str, port: int, token: str, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.head = f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self.hits = 0  # answers the server's response cache served

    async def send(self, method: str, path: str, body: dict[str, str] | None) -> int:
        try:
            return await asyncio.wait_for(self._exchange(method, path, body), self.timeout)
        except BaseException:
            self.close()  # a half-read answer: the next request opens a fresh connection
            raise

    async def _exchange(self, method: str, path: str, body: dict[str, str] | None) -> int:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        data = json.dumps(body).encode() if body is not None else b""
        extra = (
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n" if body is not None else ""
        )
        writer.write(f"{method} {path} HTTP/1.1\r\n{self.head}{extra}\r\n".encode() + data)
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {
            k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
        }
        if "content-length" in fields:
            await reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding") == "chunked":
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await reader.readexactly(size + 2)
            await reader.readuntil(b"\r\n")
        if fields.get("connection") == "close":
            self.close()
        self.hits += fields.get("x-cache") == "hit"
        return status

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def drive(
    base: str,
    token: str,
    clients: int,
    seconds: float,
    write_share: float,
    todo: list[int],
    kind: str = "raw",
) -> list:
    results: list = []
    deadline = time.monotonic() + seconds
    if kind == "raw":
        host, port = base.removeprefix("http://").rsplit(":", 1)
        connections = [RawConnection(host, int(port), token) for _ in range(clients)]
        await asyncio.gather(
            *(client(c.send, deadline, write_share, todo, i, results) for i, c in enumerate(connections))
        )
        for c in connections:
            c.close()
        HITS.append(sum(c.hits for c in connections))
        return results
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30, limits=limits) as http:

        async def send(method: str, path: str, body: dict[str, str] | None) -> int:
            return (await http.request(method, path, json=body)).status_code

        await asyncio.gather(*(client(send, deadline, write_share, todo, i, results) for i in range(clients)))
    return results


def expected(method: str, path: str, status: object) -> bool:
    if not isinstance(status, int) or status >= 500:
        return False
    if path.startswith(("/api/v1/alliances/", "/alliances/", "/api/v1/organisations/")) and status == 404:
        return True  # a random id may not exist
    return status < 400


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--write-share", type=float, default=0.05)
    parser.add_argument("--candidates", type=int, default=3000)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--by-route", action="store_true", help="also print the slowest routes by p95")
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="the load client (raw: a light HTTP/1.1 one)",
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="alliances-load-"))
    pg_admin, pg_name = None, None
    if args.engine == "postgres":
        from sqlalchemy import create_engine, text

        pg = os.environ.get("ALLIANCES_TEST_PG_URL")
        if not pg:
            sys.exit("set ALLIANCES_TEST_PG_URL to run against PostgreSQL")
        pg_name = f"alliances_load_{uuid.uuid4().hex[:8]}"
        pg_admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with pg_admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
        url = pg.rsplit("/", 1)[0] + f"/{pg_name}"
    else:
        url = f"sqlite:///{folder / 'load.db'}"
    print(f"preparing {args.engine} database with {args.candidates} candidates …", flush=True)
    token = prepare(url, args.candidates)
    port = free_port()
    env = {**os.environ, "ALLIANCES_DB": url, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "alliances.web:create_app", "--port", str(port)]
        + [
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--no-access-log",
            "--timeout-keep-alive",
            "60",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        warm = asyncio.run(
            drive(base, token, 4, 5.0, 0.0, [], args.client)
        )  # each worker's caches, as users meet them
        todo = list(range(args.candidates, 0, -1))
        server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
        started = time.monotonic()
        results = asyncio.run(
            drive(base, token, args.clients, args.seconds, args.write_share, todo, args.client)
        )
        elapsed = time.monotonic() - started
        server_cpu, client_cpu = cpu_seconds(server.pid) - server_cpu, time.process_time() - client_cpu
        load = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
        if pg_admin is not None:
            from sqlalchemy import text

            with pg_admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))

    latencies = [r[3] for r in results]
    writes = [r[3] for r in results if r[0] != "GET"]
    errors = Counter(f"{r[2]} {r[0]} {route_of(r[1])}" for r in results if not expected(*r[:3]))
    print(
        f"engine {args.engine}, {args.workers} workers, {args.clients} {args.client} clients, {elapsed:.0f} s"
        f" (after {len(warm)} warm-up requests)"
    )
    print(f"requests {len(results)} ({len(writes)} writes), throughput {len(results) / elapsed:.1f} req/s")
    print(
        f"latency ms: p50 {statistics.median(latencies):.0f}  p95 {percentile(latencies, 0.95):.0f}  "
        f"p99 {percentile(latencies, 0.99):.0f}  (writes p95 {percentile(writes, 0.95):.0f})"
    )
    print(f"errors {sum(errors.values())}" + (f": {dict(errors)}" if errors else ""))
    if args.client == "raw":
        print(f"served from the response cache: {HITS[-1] / max(1, len(results)):.0%} of the requests")
    n = max(1, len(results))
    print(
        f"CPU ms per request: server {server_cpu * 1000 / n:.1f} (all workers), "
        f"this client {client_cpu * 1000 / n:.1f}; client share of the CPU used "
        f"{client_cpu / max(1e-9, client_cpu + server_cpu):.0%}"
    )
    print(f"load average (1, 5, 15 min) at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.by_route:  # where the time goes: the slowest routes by p95
        routes: dict[str, list[float]] = {}
        for method, path, _status, ms in results:
            routes.setdefault(f"{method} {route_of(path)}", []).append(ms)
        for name, values in sorted(routes.items(), key=lambda kv: -percentile(kv[1], 0.95))[:12]:
            p50, p95 = statistics.median(values), percentile(values, 0.95)
            print(f"  {name:55} n {len(values):5}  p50 {p50:6.0f}  p95 {p95:6.0f}")


def route_of(path: str) -> str:
    """A request path with its ids replaced, so requests group by route."""
    return "/".join("{id}" if part.isdigit() else part for part in path.split("/"))


if __name__ == "__main__":
    main()
