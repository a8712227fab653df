"""Index snapshots on disk: written atomically, checked on load, damage reported by file name."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

from retrieval.errors import IndexDamaged
from retrieval.index import publish, storage
from retrieval.index.bm25 import build
from retrieval.index.publish import write_snapshot
from retrieval.index.scoring import MODELS
from retrieval.index.snapshot import (
    bm25_documents,
    load_postings,
    open_bm25,
    postings_files,
    read_bm25_description,
)
from retrieval.index.storage import FORMAT_VERSION, read_snapshot


def sample_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "ints": rng.integers(0, 1000, size=500).astype(np.int32),
        "floats": rng.random(300).astype(np.float32),
        "matrix": rng.random((7, 5)),
        "empty": np.empty(0, dtype=np.int64),
    }


def sample_documents() -> dict[str, bytes | str]:
    return {"vocab.txt": "商会\n工商联\nchamber\n", "blob.bin": bytes(range(256))}


def write(root: Path, seed: int = 0, **manifest: object) -> Path:
    return write_snapshot(root, sample_arrays(seed), sample_documents(), {"seed": seed, **manifest})


def current_id(root: Path) -> str:
    return (root / "CURRENT").read_text().split("\n")[0]


def snapshots(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith("snap-"))


@pytest.mark.parametrize("mmap", [True, False])
@pytest.mark.parametrize("verify", [True, "size", False])
def test_round_trip(tmp_path: Path, mmap: bool, verify: bool | str) -> None:
    path = write(tmp_path, 1, title="许昌日报")
    snap = read_snapshot(tmp_path, verify=verify, mmap=mmap)  # type: ignore[arg-type]
    assert snap.path == path and snap.snapshot_id == current_id(tmp_path)
    assert snap.manifest["format_version"] == FORMAT_VERSION
    assert snap.manifest["title"] == "许昌日报" and snap.manifest["seed"] == 1
    for name, arr in sample_arrays(1).items():
        np.testing.assert_array_equal(snap.arrays[name], arr)
        assert snap.arrays[name].dtype == arr.dtype
        assert isinstance(snap.arrays[name], np.memmap) == mmap
    if mmap:
        with pytest.raises(ValueError):  # read-only: a reader cannot scribble on the index
            snap.arrays["ints"][0] = 1
    assert sorted(snap.documents) == ["blob.bin", "vocab.txt"]
    assert snap.read_text("vocab.txt") == "商会\n工商联\nchamber\n"
    assert snap.read_bytes("blob.bin") == bytes(range(256))
    with pytest.raises(KeyError):
        snap.read_text("nope.txt")
    # The manifest is human-readable JSON: Chinese kept as is, every file listed with size and digest.
    text = (path / "manifest.json").read_text(encoding="utf-8")
    assert "许昌日报" in text and "\n  " in text
    files = json.loads(text)["files"]
    assert set(files) == {"ints.npy", "floats.npy", "matrix.npy", "empty.npy", "vocab.txt", "blob.bin"}
    for name, entry in files.items():
        assert entry["size"] == (path / name).stat().st_size
        assert len(entry["sha256"]) == 64


@pytest.mark.parametrize("model", MODELS)
def test_bm25_index_through_storage_scores_identically(tmp_path: Path, model: str) -> None:
    rng = np.random.default_rng(4)
    terms = [f"w{i}" for i in range(60)] + ["商会"]
    p = 1 / np.arange(1, len(terms) + 1)
    corpus = [
        [terms[i] for i in rng.choice(len(terms), size=n, p=p / p.sum())] for n in rng.integers(0, 30, 150)
    ]
    index = build(corpus, model)
    arrays = {"df": index.df, **postings_files("s0", index.segments[0])}
    write_snapshot(tmp_path, arrays, bm25_documents(index), {})
    snap = read_snapshot(tmp_path)
    description = read_bm25_description(snap)
    loaded = open_bm25(snap, description, [load_postings(snap, "s0", description.ref_avgdls[0])], [None])
    assert isinstance(loaded.segments[0].indices, np.memmap)
    for query in (["w0"], ["商会", "w3", "w3", "zz"], terms[::7], []):
        np.testing.assert_array_equal(loaded.scores(query), index.scores(query))
        for a, b in zip(loaded.top_k(query, 10), index.top_k(query, 10), strict=True):
            np.testing.assert_array_equal(a, b)


def test_new_snapshot_replaces_old_and_previous_is_kept(tmp_path: Path) -> None:
    first = write(tmp_path, 1)
    reader = read_snapshot(tmp_path)  # a reader holding the old snapshot open across the switch
    second = write(tmp_path, 2)
    assert current_id(tmp_path) == second.name
    assert read_snapshot(tmp_path).manifest["seed"] == 2
    assert first.is_dir()  # previous kept: the open reader still works
    np.testing.assert_array_equal(reader.arrays["ints"], sample_arrays(1)["ints"])
    assert reader.read_text("vocab.txt").startswith("商会")
    third = write(tmp_path, 3)
    assert snapshots(tmp_path) == sorted([second.name, third.name])  # older ones deleted
    assert not any(p.name.startswith(".tmp-") for p in tmp_path.iterdir())


def test_old_snapshot_stays_current_until_current_flips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = write(tmp_path, 1)
    seen: list[int] = []
    real_point = publish._point_current

    def observe_then_point(root: Path, snapshot_id: str, digest: str) -> None:
        # The new snapshot is complete on disk, but readers must still get the old one.
        assert (root / snapshot_id / "manifest.json").is_file()
        seen.append(read_snapshot(root).manifest["seed"])
        real_point(root, snapshot_id, digest)

    monkeypatch.setattr(publish, "_point_current", observe_then_point)
    write(tmp_path, 2)
    assert seen == [1]
    assert read_snapshot(tmp_path).manifest["seed"] == 2
    assert old.is_dir()


def test_crash_before_current_flips_leaves_old_snapshot_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = write(tmp_path, 1)

    def crash(*args: object) -> None:
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(publish, "_point_current", crash)
    with pytest.raises(KeyboardInterrupt):
        write(tmp_path, 2)
    assert current_id(tmp_path) == old.name
    assert read_snapshot(tmp_path).manifest["seed"] == 1
    orphan = [name for name in snapshots(tmp_path) if name != old.name]
    assert len(orphan) == 1  # the unpublished snapshot ...
    monkeypatch.undo()
    newest = write(tmp_path, 3)
    assert snapshots(tmp_path) == sorted([old.name, newest.name])  # ... is cleaned up by the next write


def test_crash_while_writing_files_leaves_no_trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = write(tmp_path, 1)

    def boom(path: Path, payload: object) -> dict[str, object]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish, "_write_file", boom)
    with pytest.raises(OSError, match="No space"):
        write(tmp_path, 2)
    assert snapshots(tmp_path) == [old.name] and current_id(tmp_path) == old.name
    assert not any(p.name.startswith(".tmp-snap") for p in tmp_path.iterdir())


def test_stale_temporaries_of_a_crashed_writer_are_removed(tmp_path: Path) -> None:
    write(tmp_path, 1)
    stale = tmp_path / ".tmp-snap-crashed"
    stale.mkdir()
    (stale / "ints.npy").write_bytes(b"half")
    fresh = tmp_path / ".tmp-snap-running"  # might belong to a writer still at work: left alone
    fresh.mkdir()
    os.utime(stale, (0, 0))
    write(tmp_path, 2)
    assert not stale.exists() and fresh.exists()


def flip_byte(path: Path, offset: int = -1) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("name", ["ints.npy", "matrix.npy", "vocab.txt", "blob.bin"])
def test_flipped_byte_is_caught_and_named(tmp_path: Path, name: str) -> None:
    path = write(tmp_path)
    flip_byte(path / name)
    with pytest.raises(IndexDamaged, match=rf"{name}: sha256 mismatch"):
        read_snapshot(tmp_path)
    read_snapshot(tmp_path, verify="size")  # the documented trade-off: size checks miss a flipped bit


@pytest.mark.parametrize("verify", [True, "size"])
def test_truncated_file_is_caught_and_named(tmp_path: Path, verify: bool | str) -> None:
    path = write(tmp_path)
    file = path / "floats.npy"
    file.write_bytes(file.read_bytes()[:-10])
    with pytest.raises(IndexDamaged, match=r"floats\.npy: size \d+ bytes, manifest says \d+"):
        read_snapshot(tmp_path, verify=verify)  # type: ignore[arg-type]


def test_truncated_array_without_verification_still_raises_index_damaged(tmp_path: Path) -> None:
    path = write(tmp_path)
    file = path / "floats.npy"
    file.write_bytes(file.read_bytes()[:-10])
    with pytest.raises(IndexDamaged, match=r"floats\.npy: cannot load array"):
        read_snapshot(tmp_path, verify=False)


@pytest.mark.parametrize("name", ["ints.npy", "vocab.txt"])
def test_missing_file_is_caught_and_named(tmp_path: Path, name: str) -> None:
    path = write(tmp_path)
    (path / name).unlink()
    with pytest.raises(IndexDamaged, match=rf"{name}: missing"):
        read_snapshot(tmp_path, verify="size")


def test_garbage_manifest(tmp_path: Path) -> None:
    path = write(tmp_path)
    (path / "manifest.json").write_bytes(b"{not json\xff")
    with pytest.raises(IndexDamaged, match=r"manifest\.json: sha256 differs"):
        read_snapshot(tmp_path)
    with pytest.raises(IndexDamaged, match=r"manifest\.json: not valid JSON"):
        read_snapshot(tmp_path, verify=False)


def test_manifest_edited_consistently_is_still_caught(tmp_path: Path) -> None:
    # Valid JSON with a changed field: only the digest in CURRENT notices.
    path = write(tmp_path)
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["seed"] = 99
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexDamaged, match=r"manifest\.json: sha256 differs"):
        read_snapshot(tmp_path, verify="size")


def rewrite_manifest(root: Path, path: Path, **changes: object) -> None:
    """Edit the manifest and re-point CURRENT at its new digest, as a confused or older writer might."""
    manifest = json.loads((path / "manifest.json").read_text())
    manifest.update(changes)
    body = json.dumps(manifest).encode()
    (path / "manifest.json").write_bytes(body)
    publish._point_current(root, path.name, hashlib.sha256(body).hexdigest())


def test_wrong_format_version(tmp_path: Path) -> None:
    path = write(tmp_path)
    rewrite_manifest(tmp_path, path, format_version=FORMAT_VERSION + 1)
    with pytest.raises(IndexDamaged, match=rf"manifest\.json: format_version {FORMAT_VERSION + 1}"):
        read_snapshot(tmp_path)


def test_malformed_file_entry(tmp_path: Path) -> None:
    path = write(tmp_path)
    rewrite_manifest(tmp_path, path, files={"../etc/passwd": {"kind": "document", "size": 1, "sha256": "0"}})
    with pytest.raises(IndexDamaged, match=r"malformed entry for file '\.\./etc/passwd'"):
        read_snapshot(tmp_path)


def test_object_array_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="object arrays would need pickle"):
        write_snapshot(tmp_path, {"bad": np.array([{"a": 1}], dtype=object)}, {}, {})
    # A planted pickled .npy with a matching manifest entry is refused on load as well.
    path = write(tmp_path)
    planted = path / "ints.npy"
    np.save(planted, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    rewrite_manifest(
        tmp_path,
        path,
        files={
            **json.loads((path / "manifest.json").read_text())["files"],
            "ints.npy": {
                "kind": "array",
                "size": planted.stat().st_size,
                "sha256": storage.sha256_file(planted),
            },
        },
    )
    for mmap in (True, False):
        with pytest.raises(IndexDamaged, match=r"ints\.npy: cannot load array"):
            read_snapshot(tmp_path, mmap=mmap)


def test_missing_or_bad_current(tmp_path: Path) -> None:
    with pytest.raises(IndexDamaged, match="CURRENT: missing"):
        read_snapshot(tmp_path / "never-written")
    path = write(tmp_path)
    digest = (tmp_path / "CURRENT").read_text().split("\n")[1]
    (tmp_path / "CURRENT").write_text(f"snap-20000101T000000000000Z-00000000\n{digest}\n")
    with pytest.raises(IndexDamaged, match="CURRENT: points to snap-20000101T000000000000Z-00000000"):
        read_snapshot(tmp_path)
    (tmp_path / "CURRENT").write_text(f"../{path.name}\n{digest}\n")
    with pytest.raises(IndexDamaged, match="CURRENT: expected"):
        read_snapshot(tmp_path)
    (tmp_path / "CURRENT").write_text("")
    with pytest.raises(IndexDamaged, match="CURRENT: expected"):
        read_snapshot(tmp_path)
    (tmp_path / "CURRENT").unlink()
    with pytest.raises(IndexDamaged, match="CURRENT: missing"):
        read_snapshot(tmp_path)


def test_bad_names_and_reserved_keys_are_refused(tmp_path: Path) -> None:
    for arrays, documents in (
        ({"../x": np.zeros(1)}, {}),
        ({".hidden": np.zeros(1)}, {}),
        ({}, {"manifest.json": "x"}),
        ({}, {"a/b.txt": "x"}),
        ({}, {"fake.npy": "x"}),
        ({"v": np.zeros(1)}, {"v.npy": "x"}),
    ):
        with pytest.raises(ValueError):
            write_snapshot(tmp_path, arrays, documents, {})
    with pytest.raises(ValueError, match="reserved"):
        write_snapshot(tmp_path, {}, {}, {"files": []})
    with pytest.raises(ValueError):
        read_snapshot(tmp_path, verify="sha")  # type: ignore[arg-type]
    assert not (tmp_path / "CURRENT").exists()


def test_current_snapshot_id_follows_publication(tmp_path: Path) -> None:
    assert storage.current_snapshot_id(tmp_path) is None  # nothing written yet
    first = write(tmp_path, 1)
    assert storage.current_snapshot_id(tmp_path) == first.name
    second = write(tmp_path, 2)
    assert storage.current_snapshot_id(tmp_path) == second.name
    (tmp_path / "CURRENT").write_text("garbage")
    assert storage.current_snapshot_id(tmp_path) is None


def test_unchanged_files_are_linked_from_an_earlier_snapshot(tmp_path: Path) -> None:
    first = write(tmp_path, 1)
    old = read_snapshot(tmp_path)
    second = write_snapshot(
        tmp_path,
        {"floats": sample_arrays(2)["floats"]},
        {},
        {},
        reuse=dict.fromkeys(["ints.npy", "vocab.txt"], old),
    )
    assert (second / "ints.npy").stat().st_ino == (first / "ints.npy").stat().st_ino
    snap = read_snapshot(tmp_path)  # checksums verified: the linked files are listed like written ones
    np.testing.assert_array_equal(snap.arrays["ints"], sample_arrays(1)["ints"])
    assert snap.read_text("vocab.txt") == "商会\n工商联\nchamber\n"
    with pytest.raises(ValueError, match="both written and reused"):
        write_snapshot(tmp_path, {"ints": np.zeros(1)}, {}, {}, reuse={"ints.npy": old})


def test_reuse_copies_where_links_fail_and_refuses_a_vanished_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, 1)
    old = read_snapshot(tmp_path)
    with monkeypatch.context() as m:
        m.setattr(os, "link", lambda *a: (_ for _ in ()).throw(OSError("no hard links here")))
        copied = write_snapshot(tmp_path, {}, {}, {}, reuse={"ints.npy": old})
    assert (copied / "ints.npy").stat().st_ino != (old.path / "ints.npy").stat().st_ino
    np.testing.assert_array_equal(read_snapshot(tmp_path).arrays["ints"], sample_arrays(1)["ints"])
    (old.path / "floats.npy").unlink()
    with pytest.raises(IndexDamaged, match="gone"):
        write_snapshot(tmp_path, {}, {}, {}, reuse={"floats.npy": old})


@pytest.mark.skipif(storage.resident_mb() == 0.0, reason="needs /proc/self/statm (Linux)")
def test_release_drops_mapped_pages_from_resident_memory(tmp_path: Path) -> None:
    big = np.arange(16 * 2**20, dtype=np.int32)  # 64 MB
    write_snapshot(tmp_path, {"big": big}, {}, {})
    snap = read_snapshot(tmp_path, verify=False)
    assert int(snap.arrays["big"][::1024].sum()) == int(big[::1024].sum())
    assert int(snap.arrays["big"].sum(dtype=np.int64)) == int(big.sum(dtype=np.int64))  # every page mapped
    before = storage.resident_mb()
    snap.release()
    after = storage.resident_mb()
    assert before - after > 40, (before, after)
    np.testing.assert_array_equal(snap.arrays["big"][-5:], big[-5:])  # mapped again when read
