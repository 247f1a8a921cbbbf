"""Tamper-evident logs (R-5, R-25): each entry sealed with a hash over the previous seal and its own fields.

Changing, removing or reordering a sealed entry breaks every later seal, so recomputing the chain finds
the first entry that no longer fits. The gateway's access log and gradebook's mark-change log both seal
with ``link``; each keeps its own entry's fields, its own verification and its own sealing job.
"""

import hashlib
from collections.abc import Sequence

#: The seal before the first entry.
GENESIS = "0" * 64


def link(previous: str, fields: Sequence[str]) -> str:
    """SHA-256 over the previous seal and the fields, each length-prefixed so none can run into the next."""
    digest = hashlib.sha256()
    for field in (previous, *fields):
        data = field.encode()
        digest.update(len(data).to_bytes(4, "big") + data)
    return digest.hexdigest()
