"""Writing the archive to two separate stores and verifying what a store holds against the signed manifest."""

import asyncio
from dataclasses import dataclass

from chassis.files import FileNotFound, FileStore, sha256_hex
from chassis.signing import Signer
from reporting.archive.cms import SignatureInvalid, sign_detached, verify_detached
from reporting.domain.archive import MANIFEST, SIGNATURE, Manifest, ManifestEntry, Retention, differences


@dataclass(frozen=True)
class ArchiveFile:
    path: str
    data: bytes
    retention: Retention


def archive_prefix(school_id: str, academic_year: str) -> str:
    return f"archive/{school_id}/{academic_year.replace('/', '-')}"


async def write_archive(
    stores: list[FileStore],
    manifest: Manifest,
    files: list[ArchiveFile],
    signer: Signer,
    certificate,
) -> str:
    """Freeze ``files`` under the archive's prefix in every store, then the manifest and its signature last:
    an archive without its signature is visibly unfinished. Returns the prefix."""
    if len(stores) < 2:
        raise ValueError("R-65: the archive is kept on two separate stores")
    entries = [ManifestEntry(f.path, sha256_hex(f.data), len(f.data), f.retention) for f in files]
    body = Manifest(**{**manifest.__dict__, "entries": entries}).dump()
    signature = await asyncio.to_thread(sign_detached, body, signer, certificate)
    prefix = archive_prefix(manifest.school_id, manifest.academic_year)
    for store in stores:
        for archived in files:
            await store.put(f"{prefix}/{archived.path}", archived.data)
        await store.put(f"{prefix}/{MANIFEST}", body)
        await store.put(f"{prefix}/{SIGNATURE}", signature)
    return prefix


@dataclass(frozen=True)
class Verdict:
    """What ``verify`` found: who signed, and every difference (none: the archive is intact)."""

    signer: str | None
    problems: list[str]

    @property
    def intact(self) -> bool:
        return not self.problems


async def verify_archive(store: FileStore, prefix: str) -> Verdict:
    """Check the manifest's signature and every file byte for byte against the manifest."""
    try:
        body = await store.get(f"{prefix}/{MANIFEST}")
        signature = await store.get(f"{prefix}/{SIGNATURE}")
    except FileNotFound as missing:
        return Verdict(None, [f"В архиве нет {missing.key.rsplit('/', 1)[-1]}: архив не завершён или повреждён."])
    try:
        signed = await asyncio.to_thread(verify_detached, body, signature)
    except SignatureInvalid:
        return Verdict(None, ["Подпись описи недействительна: опись изменена после подписания или подпись повреждена."])
    manifest = Manifest.load(body)
    stored = {}
    for listed in await store.list(prefix):
        path = listed.key[len(prefix) + 1 :]
        if path not in (MANIFEST, SIGNATURE):
            stored[path] = sha256_hex(await store.get(listed.key))
    return Verdict(signed.subject, differences(manifest, stored))
