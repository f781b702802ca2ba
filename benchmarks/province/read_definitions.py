"""Time ``store.units.definitions(root)`` in this process and print the result as one JSON line.

Run by the benchmark as a child (``python read_definitions.py URL ROOT``) so that its time is
bounded and its peak memory is its own.
"""

from __future__ import annotations

import json
import sys
import time

from tieuchi.store import Store


def main(url: str, root: str) -> None:
    store = Store.open(url, upgrade=False)
    start = time.perf_counter()
    definitions = store.units.definitions(root)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": round(seconds, 3), "units": len(definitions.units),
                      "targets": definitions.targets.height,
                      "observations": definitions.observations.height}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
