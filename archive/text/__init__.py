"""Pure text code: no models, no database, no requests.

Decoding and cleaning captures (``capture``), anchoring quotes
(``anchoring``), rendering highlighted text (``rendering``), word diffs
(``diff``), passage similarity (``similarity``), sanitizing notes
(``sanitize``) and partial dates (``dates``). Each module is tested on plain
strings, most with property-based tests. Nothing here imports from
``archive.models`` or ``archive.services``; ``tests/text/test_purity.py``
keeps it so.
"""
