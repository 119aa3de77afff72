"""The HA scenario's `reweight` variant of examples/ha-pair.ldr (see ha_pair.py)."""

import sys

from ha_pair import variant

sys.stdout.write(variant("reweight"))
