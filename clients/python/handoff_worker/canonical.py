"""The canonical JSON a delivery's digest is computed over, exactly as the server (JavaScript) computes it.

json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False) gives the same text for most
values, but not all: JavaScript sorts object keys by UTF-16 code units (Python by code points, which differ
for characters outside the Basic Multilingual Plane, e.g. emoji, against those from U+E000 up), and writes
numbers its own way (0.00001 where Python writes 1e-05, 1.5e-7 where Python writes 1.5e-07, 1 for 1.0).
These functions follow JavaScript, so the digest matches whatever the values hold.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from decimal import Decimal
from typing import Any

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _string(text: str) -> str:
    encoded = json.dumps(text, ensure_ascii=False)
    # JSON.stringify escapes a lone surrogate (\udxxx); Python would leave it raw (and UTF-8 cannot hold it).
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", encoded)


def _number(value: int | float) -> str:
    """A number as ECMAScript's Number::toString writes it (the shortest digits that read back the same)."""
    if isinstance(value, int) and abs(value) < 10**21:
        return str(value)
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        return "null"
    if number == 0:
        return "0"
    _, digit_tuple, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    sign = "-" if number < 0 else ""
    k = len(digits)
    n = exponent + k  # the value is 0.<digits> × 10^n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"


def canonical_json(value: Any) -> str:
    """Object keys sorted at every level (by UTF-16 code units), no spaces, JavaScript's strings and numbers."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical_json(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: key.encode("utf-16-be", "surrogatepass"))
        return "{" + ",".join(f"{_string(key)}:{canonical_json(value[key])}" for key in keys) + "}"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def canonical_digest(value: Any) -> str:
    """SHA-256 (hex) of the canonical JSON: what acknowledgeDelivery wants for the values read."""
    return hashlib.sha256(canonical_json(value).encode("utf-8", "surrogatepass")).hexdigest()
