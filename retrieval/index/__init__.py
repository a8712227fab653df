"""Chunks -> a searchable index on disk: BM25 postings in segments, records, snapshots written atomically,
refreshed a page at a time (writer) and read without the writer (snapshot, storage)."""
