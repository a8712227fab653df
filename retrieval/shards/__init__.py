"""The archive on Xapian shards: written from the embedded index, served beside it or instead of it.

documents.py (what a shard keeps of a page), write.py (pages to shards, atomically per shard),
connect.py (the shards as one database per thread, a shard that fails left out and retried), search.py
(BM25 candidates and term statistics from the shards) and index.py (what answering reads of them).
"""
