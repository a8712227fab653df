"""Text -> index terms: normalisation (OpenCC), jieba with the corpus's domain dictionary, the hand-kept
word lists and synonyms. The only part of the product that imports jieba or OpenCC."""
