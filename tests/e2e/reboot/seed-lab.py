"""The reboot scenario's cluster: examples/seed-lab.ldr itself (the script engine)."""

import sys
from pathlib import Path

sys.stdout.write((Path(__file__).resolve().parents[3] / "examples" / "seed-lab.ldr").read_text(encoding="utf-8"))
