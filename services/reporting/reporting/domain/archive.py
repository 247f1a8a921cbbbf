"""The year-end archive's rules (R-65): the manifest of hashes, what differs on verify, what may be destroyed.

Retention (000 §6.5): journals 5 years, summary sheets 25 years, counted from the end of the
academic year archived. Nothing is destroyed by the system: the retention job lists what may
be, and never lists a file before its term.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

Retention = Literal["journal", "summary_sheet"]
RETENTION_YEARS: dict[str, int] = {"journal": 5, "summary_sheet": 25}
MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.p7s"


@dataclass(frozen=True)
class ManifestEntry:
    path: str
    sha256: str
    size: int
    retention: Retention


@dataclass(frozen=True)
class Manifest:
    school_id: str
    school: str
    academic_year: str
    year_ends: date
    created_at: datetime
    entries: list[ManifestEntry]

    def dump(self) -> bytes:
        """Canonical JSON (sorted keys, entries by path): the bytes that are signed."""
        body = {
            "school_id": self.school_id,
            "school": self.school,
            "academic_year": self.academic_year,
            "year_ends": self.year_ends.isoformat(),
            "created_at": self.created_at.isoformat(),
            "entries": [
                {"path": e.path, "sha256": e.sha256, "size": e.size, "retention": e.retention}
                for e in sorted(self.entries, key=lambda e: e.path)
            ],
        }
        return json.dumps(body, ensure_ascii=False, sort_keys=True, indent=1).encode()

    @classmethod
    def load(cls, data: bytes) -> "Manifest":
        body = json.loads(data)
        return cls(
            school_id=body["school_id"],
            school=body["school"],
            academic_year=body["academic_year"],
            year_ends=date.fromisoformat(body["year_ends"]),
            created_at=datetime.fromisoformat(body["created_at"]),
            entries=[ManifestEntry(**entry) for entry in body["entries"]],
        )


def differences(manifest: Manifest, stored: dict[str, str]) -> list[str]:
    """What differs between the manifest and the files stored (path → SHA-256), each named, in Russian."""
    found = []
    listed = {entry.path: entry for entry in manifest.entries}
    for path, entry in sorted(listed.items()):
        if path not in stored:
            found.append(f"Файл {path} отсутствует в архиве.")
        elif stored[path] != entry.sha256:
            found.append(f"Файл {path} изменён: его хеш не совпадает с описью.")
    for path in sorted(set(stored) - set(listed)):
        found.append(f"Файл {path} не указан в описи архива.")
    return found


def destroy_after(year_ends: date, retention: str) -> date:
    """The first day the file may be destroyed: its term counted from the year's end."""
    years = RETENTION_YEARS[retention]
    try:
        return year_ends.replace(year=year_ends.year + years)
    except ValueError:  # 29 February
        return year_ends.replace(year=year_ends.year + years, day=28)


def due_for_destruction(manifest: Manifest, today: date) -> list[ManifestEntry]:
    """The files whose term is over on ``today`` (never one before it)."""
    return [e for e in manifest.entries if destroy_after(manifest.year_ends, e.retention) <= today]
