"""Where a request's CPU goes (not a test): each route of bench/load.py's read mix, called in-process.

    python bench/load_profile.py                  # CPU ms per request, per route (bearer token, SQLite WAL)
    python bench/load_profile.py --cprofile 25    # and the 25 costliest functions over the whole mix

The app is driven through Starlette's TestClient (no sockets, no uvicorn), so the figure is the app's
own cost per request: routing, authentication, middleware, query, validation and rendering.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import READS, prepare, route_of  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=30, help="requests per route")
    parser.add_argument("--cprofile", type=int, default=0, help="print the N costliest functions")
    parser.add_argument("--only", default="", help="reads whose path has this text ('write': writes only)")
    parser.add_argument("--db", default="", help="an existing database URL (else a fresh bundled copy)")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from alliances.settings import load_settings
    from alliances.web import create_app

    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp(prefix='alliances-prof-')) / 'p.db'}"
    token = prepare(url, 2 * args.rounds + 10)
    app = create_app(load_settings(db=url))
    rng = random.Random(1)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app, headers=headers) as http:
        paths = [p.format(alliance=rng.randint(1, 300), organisation=rng.randint(1, 300)) for p in READS]
        for path in paths:  # warm every cache once, as the load bench does
            http.get(path)
        table = []
        profiler = cProfile.Profile() if args.cprofile else None
        for template in [r for r in READS if args.only in r]:
            cpu = 0.0
            for _ in range(args.rounds):
                path = template.format(alliance=rng.randint(1, 300), organisation=rng.randint(1, 300))
                start = time.process_time()
                if profiler:
                    profiler.enable()
                http.get(path)
                if profiler:
                    profiler.disable()
                cpu += time.process_time() - start
            table.append((route_of(template), cpu * 1000 / args.rounds))
        for method, template, body in (
            ("POST", "/api/v1/candidates/{id}/accept", {}),
            ("PATCH", "/api/v1/candidates/{id}", {"type": "joint_venture"}),
        ) * (not args.only or args.only == "write"):
            cpu = 0.0
            for i in range(args.rounds):
                cid = i + 1 if method == "POST" else args.rounds + i + 1
                start = time.process_time()
                if profiler:
                    profiler.enable()
                http.request(method, template.format(id=cid), json=body)
                if profiler:
                    profiler.disable()
                cpu += time.process_time() - start
            table.append((f"{method} {template}", cpu * 1000 / args.rounds))
    print(f"{'route':50} CPU ms/request")
    for name, ms in table:
        print(f"  {name:48} {ms:7.1f}")
    reads = [row for row in table if not row[0].startswith(("POST", "PATCH"))]
    print(f"  {'mean over the read mix':48} {sum(ms for _, ms in reads) / max(1, len(reads)):7.1f}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.cprofile)


if __name__ == "__main__":
    main()
