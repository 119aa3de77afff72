"""printable(): a source string made safe for a terminal or a generated file.

File names and source text are the user's, and any character can be in them:
a newline in a file name would start a new line (a command) in a generated
shell script, and an escape sequence would reach the terminal. Every such
string goes through printable() on its way out; JSON output does not need
to (json.dumps escapes control characters itself).
"""

from __future__ import annotations

import re

# C0 controls (tab and newline included), DEL, C1 controls, the Unicode line and
# paragraph separators (line breaks to many editors and to JavaScript), the
# bidirectional formatting controls (they reorder what a reader sees: "Trojan
# Source"), and lone surrogates (undecodable bytes of a file name, which
# cannot be encoded as UTF-8).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(m: re.Match[str]) -> str:
    c = ord(m[0])
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def printable(s: str) -> str:
    """s with every unsafe character written as `\\xNN` or `\\uNNNN`; other text is unchanged."""
    return _UNSAFE.sub(_escape, s)
