"""examples/ha-pair.ldr, and the variants of it that the HA scenario compares (scenario.sh).

Run as a script it prints the example itself; `variant(name)` gives a variant, each a small
textual change of the example, so what the scenario proves is the example:
  nosync    `sync off`: no connection sync (the negative control of the failover)
  nocheck   no health checks (the negative control of the real-server failure)
  nopreempt `preempt off`: a returning master stays backup
  fast      `advert 0.2`: sub-second VRRP advertisements (VRRPv3)
  reweight  port 80 by wrr with weights 3 and 1: a new version to reload with traffic flowing
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "ha-pair.ldr"
ENGINE = "engine keepalived\n"


def variant(name: str) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert ENGINE in text, "examples/ha-pair.ldr has no `engine keepalived` line"
    if name == "example":
        return text
    if name == "nocheck":
        out, n = re.subn(r"(?m)^\s+check [^\n]*\n", "", text)
        assert n >= 1, "no check to remove"
        return out
    if name == "reweight":
        old = "tcp 80 rr -> rs .22 .23"
        assert old in text, "the example's port 80 line changed"
        return text.replace(old, "tcp 80 wrr -> rs .22 weight 3 .23", 1)
    extra = {"nosync": "sync off", "nopreempt": "preempt off", "fast": "advert 0.2"}[name]
    return text.replace(ENGINE, f"{ENGINE}{extra}\n", 1)


if __name__ == "__main__":
    sys.stdout.write(variant("example"))
