"""Errors of the retrieval package: one base class, a small subclass per way things go wrong."""

from __future__ import annotations


class RetrievalError(Exception):
    """Base class of every error the retrieval package raises on purpose."""


class CorpusEmpty(RetrievalError):
    """There is nothing to index: no documents, or documents without a single token."""


class IndexDamaged(RetrievalError):
    """An index on disk is missing, incomplete, corrupt or of another format version: rebuild it."""


class PageUnreadable(RetrievalError):
    """A page file is empty, binary, of an unknown encoding or cannot be read."""
