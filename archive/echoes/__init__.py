"""Echoes: where else a claim was said, across the whole archive (docs/echoes.md).

``models``: the passage index (sentences and adjacent pairs of every document's
current text), archive-wide term counts, rejections and the echo inbox.
``index``: writing a document's passages (called by the services in the
transaction of an import or a correction). ``retrieval``: the ranked echoes of
a quote (full-text candidates, TF-IDF with archive-wide rarity, blended with
the embeddings' cosine where they exist). ``tasks``: the background worker's
jobs (embedding, scanning a new document for echoes of published claims).
``first``: a claim's earliest dated appearance.
"""
