"""The HA scenario's `fast` variant of examples/ha-pair.ldr (see ha_pair.py)."""

import sys

from ha_pair import variant

sys.stdout.write(variant("fast"))
