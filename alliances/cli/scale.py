"""`alliances synth-docs`: a synthetic stream of press releases on disk, for ingestion benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alliances.cli.common import console


def synth_docs(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the .txt documents into.")],
    documents: Annotated[int, typer.Option("--documents", min=1, help="How many documents.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same documents.")] = 0,
) -> None:
    """Write synthetic French and English press releases naming bundled organisations."""
    from alliances.synth.documents import write_documents

    n = write_documents(out, documents, seed)
    console.print(f"Wrote {n} synthetic documents to {out}.", soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("synth-docs")(synth_docs)
