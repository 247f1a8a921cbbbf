"""The path a proxied request goes on with: checked once, in one canonical spelling, and forwarded as checked.

A service decodes and may normalise a path its own way; if the gateway checked one spelling
and forwarded another, ``/x/%2e%2e/metrics`` or ``/x%2f..%2fmetrics`` would reach what the
gateway refused. So each segment is decoded exactly once, anything that could change meaning
on a second reading (dot segments, encoded slashes or backslashes, a ``%`` left after decoding,
control characters, empty segments) is refused, and the rest is encoded again the one way.
"""

from urllib.parse import quote, unquote

#: A service's operational endpoints are for the platform, not for people behind the gateway; ``internal`` are the
#: routes the gateway itself calls (``chassis.destruction``), never a client.
OPERATIONAL_PATHS = frozenset({"metrics", "livez", "readyz", "docs", "redoc", "openapi.json", "internal"})
#: Characters a path segment keeps unencoded (RFC 3986 pchar without ``%``).
SEGMENT_SAFE = "-._~!$&'()*+,;=:@"


def _segment(raw: str) -> str | None:
    try:
        decoded = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return None
    if decoded in (".", "..") or any(c in decoded for c in "/\\%") or not decoded.isprintable():
        return None
    return decoded


def canonical_path(raw: str) -> str | None:
    """``raw`` (the percent-encoded path after ``/api/v1/<service>``) re-encoded canonically; None to refuse."""
    if not raw.startswith("/"):
        return None
    parts = raw[1:].split("/")
    decoded = []
    for position, part in enumerate(parts):
        if part == "" and position != len(parts) - 1:
            return None
        segment = _segment(part)
        if segment is None:
            return None
        decoded.append(segment)
    if decoded[0].casefold() in OPERATIONAL_PATHS:
        return None
    return "/" + "/".join(quote(segment, safe=SEGMENT_SAFE) for segment in decoded)
