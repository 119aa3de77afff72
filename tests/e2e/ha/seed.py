"""The seed's own setup, for comparison in the HA scenario: examples/seed-lab.ldr, one director
(script engine), the same hosts and addresses as examples/ha-pair.ldr without lvs-02."""

import sys
from pathlib import Path

sys.stdout.write((Path(__file__).resolve().parents[3] / "examples" / "seed-lab.ldr").read_text(encoding="utf-8"))
