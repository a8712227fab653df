"""Benchmarks of chamber-qa: tables of quality, speed and memory, run from the repository root as
``.venv/bin/python -m benchmarks.<name>`` (quality, tokenizers, scale, ingest, load, pages). Never installed
with the product; the tests import them from the repository root."""
