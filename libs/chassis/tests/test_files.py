"""The directory file store: put, get, list and delete by key; keys cannot leave the store's directory."""

from pathlib import Path

import pytest

from chassis.files import DirectoryStore, FileNotFound, FileStoreError, check_key, sha256_hex


async def test_put_get_list_delete(tmp_path: Path):
    store = DirectoryStore(tmp_path)
    await store.put("reports/s1/a.xlsx", b"one")
    await store.put("reports/s1/b.pdf", b"two!")
    await store.put("archive/s1/2026.zip", b"z")
    await store.put("reports/s1/a.xlsx", b"one again")  # replaces

    assert await store.get("reports/s1/a.xlsx") == b"one again"
    listed = await store.list("reports/s1")
    assert [(f.key, f.size) for f in listed] == [("reports/s1/a.xlsx", 9), ("reports/s1/b.pdf", 4)]
    assert [f.key for f in await store.list()] == ["archive/s1/2026.zip", "reports/s1/a.xlsx", "reports/s1/b.pdf"]
    assert await store.list("nothing/here") == []

    await store.delete("reports/s1/a.xlsx")
    await store.delete("reports/s1/a.xlsx")  # a retried delete is fine
    with pytest.raises(FileNotFound):
        await store.get("reports/s1/a.xlsx")
    # No temporary files are left beside the stored ones.
    assert sorted(p.name for p in (tmp_path / "reports" / "s1").iterdir()) == ["b.pdf"]


@pytest.mark.parametrize("key", ["", "/etc/passwd", "../x", "a/../../x", "a//b", "a/./b", "a/.hidden", "a b", "ж"])
def test_keys_that_are_not_plain_paths_are_refused(key: str):
    with pytest.raises(FileStoreError):
        check_key(key)


async def test_a_bad_key_reaches_no_file(tmp_path: Path):
    store = DirectoryStore(tmp_path / "store")
    with pytest.raises(FileStoreError):
        await store.put("../escaped", b"x")
    assert not (tmp_path / "escaped").exists()


def test_sha256_hex():
    assert sha256_hex(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
