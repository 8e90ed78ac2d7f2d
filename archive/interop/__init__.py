"""Data going out in other people's formats, as pure functions.

Each module here turns plain values (dataclasses the read side fills from the
database) into a published format: ``w3c`` the W3C Web Annotation Data Model,
``claimreview`` schema.org's ClaimReview, ``citations``
CSL-JSON, BibLaTeX and RIS. No models, no database, no settings,
no requests: URLs come from a callable the caller passes in, so the same code
serves a view, a command or a test. ``tests/interop/test_purity.py`` keeps it so.
"""
