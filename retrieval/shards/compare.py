"""What a shard holds, as a value: two shards, or a replica and its shard, compare equal when they hold
the same archive."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from retrieval.shards import documents as docs
from retrieval.shards.engine import xapian

Contents = tuple[list[tuple[Any, ...]], dict[bytes, Any]]


def shard_contents(path: Path) -> Contents:
    """Every document of a shard (data, terms with counts, vector) in id order, and its metadata; the
    header without the snapshot it names and no page's token source (a build on a cluster has neither)."""
    db = xapian().Database(str(path))
    documents = []
    for posting in db.postlist(""):  # every document there is, in id order
        doc = db.get_document(posting.docid)
        documents.append((doc.get_data(), [(t.term, t.wdf) for t in doc.termlist()], doc.get_value(0)))
    # Where each page's tokens came from names the build, not what the shard holds.
    keys = [key for key in db.metadata_keys() if not key.startswith(docs.TOKENS_KEY.encode())]
    metadata: dict[bytes, Any] = {key: db.get_metadata(key) for key in keys}
    header = json.loads(metadata.pop(docs.HEADER.encode(), b"{}"))
    metadata[docs.HEADER.encode()] = {k: v for k, v in header.items() if k != "snapshot_id"}
    db.close()
    return documents, metadata
