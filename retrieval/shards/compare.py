"""What a shard holds, as a value: two shards, or a replica and its shard, compare equal when they hold
the same archive. Documents are read one at a time and kept as digests, so a shard of millions of
chunks compares in bounded memory."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from retrieval.shards import documents as docs
from retrieval.shards.engine import xapian

Contents = tuple[list[bytes], dict[bytes, Any]]


def shard_contents(path: Path) -> Contents:
    """A digest of every document of a shard (data, terms with counts, vector) in id order, and its
    metadata; the header without the snapshot it names and no page's token source (a build on a cluster
    has neither). Sort the digests to compare shards whose documents were added in another order."""
    db = xapian().Database(str(path))
    documents = [_digest(db.get_document(posting.docid)) for posting in db.postlist("")]
    # Where each page's tokens came from names the build, not what the shard holds.
    keys = [key for key in db.metadata_keys() if not key.startswith(docs.TOKENS_KEY.encode())]
    metadata: dict[bytes, Any] = {key: db.get_metadata(key) for key in keys}
    header = json.loads(metadata.pop(docs.HEADER.encode(), b"{}"))
    metadata[docs.HEADER.encode()] = {k: v for k, v in header.items() if k != "snapshot_id"}
    db.close()
    return documents, metadata


def _digest(doc: Any) -> bytes:
    digest = hashlib.sha256(doc.get_data())
    for term in doc.termlist():
        digest.update(term.term + b"\0" + str(term.wdf).encode() + b"\0")
    digest.update(b"\1" + doc.get_value(docs.VECTOR_SLOT))
    return digest.digest()
