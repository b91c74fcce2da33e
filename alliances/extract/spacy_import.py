"""spaCy, imported without torch.

thinc (under spaCy) imports torch whenever it is installed, and the `neural` extra's model package brings
torch in as a dependency. Nothing here runs spaCy on torch (the English encoder is plain numpy), and the
import costs 470 MB of memory and 1.6 s per process (each extraction worker). While spaCy is first
imported, torch is made unimportable; afterwards the process can import it as usual.
"""

from __future__ import annotations

import sys
from types import ModuleType


def import_spacy() -> ModuleType:
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` now raises ImportError
    try:
        import spacy
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]
    return spacy
