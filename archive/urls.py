from django.urls import path

from archive import (  # noqa: F401  (converters registers "uslug" and "num")
    annotation_views,
    api,
    converters,
    echo_views,
    feeds,
    sitemaps,
    views,
)

app_name = "archive"

urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("documents/<uslug:slug>/", views.document_detail, name="document_detail"),
    path("documents/<uslug:slug>/raw/", views.document_raw, name="document_raw"),
    path("documents/<uslug:slug>/versions/<num:number>/", views.document_version, name="document_version"),
    path(
        "documents/<uslug:slug>/versions/<num:number>/diff/<num:other>/",
        views.document_version_diff,
        name="document_version_diff",
    ),
    path("documents/<uslug:slug>/correct/", views.document_correct, name="document_correct"),
    path("documents/<uslug:slug>/claims/new/", views.claim_create_by_quote, name="claim_create_by_quote"),
    # The claim page, or its W3C Web Annotation for a client asking for JSON-LD.
    path("claims/<num:pk>/", annotation_views.claim, name="claim_detail"),
    path("claims/<num:pk>/counterparts/", views.counterpart_accept, name="counterpart_accept"),
    path("claims/<num:pk>/revert/", views.claim_revert, name="claim_revert"),
    # Echoes (docs/echoes.md): analysts only.
    path("claims/<num:pk>/echoes/", echo_views.echo_decide, name="echo_decide"),
    path("documents/<uslug:slug>/echoes/", echo_views.passage_echoes, name="passage_echoes"),
    path("echoes/", echo_views.echo_inbox, name="echo_inbox"),
    path("c/<num:pk>", views.claim_short, name="claim_short"),
    # Citations as files (archive.interop.citations); each page shows them in its "Cite" section.
    path(
        "documents/<uslug:slug>/cite.csl.json",
        views.document_cite,
        {"fmt": "csl.json"},
        name="document_cite_csl",
    ),
    path("documents/<uslug:slug>/cite.bib", views.document_cite, {"fmt": "bib"}, name="document_cite_bib"),
    path("documents/<uslug:slug>/cite.ris", views.document_cite, {"fmt": "ris"}, name="document_cite_ris"),
    path("claims/<num:pk>/cite.csl.json", views.claim_cite, {"fmt": "csl.json"}, name="claim_cite_csl"),
    path("claims/<num:pk>/cite.bib", views.claim_cite, {"fmt": "bib"}, name="claim_cite_bib"),
    path("claims/<num:pk>/cite.ris", views.claim_cite, {"fmt": "ris"}, name="claim_cite_ris"),
    path("tags/<uslug:slug>/", views.tag_detail, name="tag_detail"),
    path("people/<uslug:slug>/", views.person_detail, name="person_detail"),
    path("sources/<uslug:slug>/", views.source_detail, name="source_detail"),
    # Atom feeds of published material (archive.feeds).
    path("feeds/documents.atom", feeds.new_documents, name="feed_documents"),
    path("feeds/claims.atom", feeds.new_claims, name="feed_claims"),
    path("tags/<uslug:slug>/feed.atom", feeds.tag_feed, name="tag_feed"),
    path("people/<uslug:slug>/feed.atom", feeds.person_feed, name="person_feed"),
    path("sources/<uslug:slug>/feed.atom", feeds.source_feed, name="source_feed"),
    path("compare/", views.compare, name="compare"),
    # For crawlers (archive.sitemaps): the sitemap index, its sections' pages, robots.txt.
    path("sitemap.xml", sitemaps.index, name="sitemap_index"),
    path("sitemap-<uslug:section>.xml", sitemaps.section, name="sitemap_section"),
    path("robots.txt", sitemaps.robots_txt, name="robots_txt"),
    path("claim-links/new/", views.claim_link_create, name="claim_link_create"),
    path("imports/annotations/", views.annotation_import, name="annotation_import"),
    # JSON endpoints of the reader's highlighting tool (analysts only).
    # Type-ahead for choosing documents to compare (anyone; drafts for analysts only).
    path("api/documents/suggest/", api.document_suggest, name="api_document_suggest"),
    path("api/documents/<uslug:slug>/claims/", api.claim_create, name="api_claim_create"),
    # The link to a passage (anyone who may read the document).
    path("api/documents/<uslug:slug>/passage-link/", api.passage_link_view, name="api_passage_link"),
    path("api/claims/<num:pk>/", api.claim_update, name="api_claim_update"),
    path("api/claims/<num:pk>/move/", api.claim_move, name="api_claim_move"),
    path("api/claims/<num:pk>/delete/", api.claim_delete, name="api_claim_delete"),
    path("api/claims/<num:pk>/revert/", api.claim_revert, name="api_claim_revert"),
    path("api/claims/<num:pk>/state/", api.claim_state, name="api_claim_state"),
    path("api/people/", api.people_search, name="api_people"),
    path("api/tags/", api.tag_suggestions, name="api_tags"),
    # W3C Web Annotations (docs/interop.md): claims, links, their collections and our context.
    path("claims/<num:pk>.jsonld", annotation_views.claim_annotation, name="claim_annotation"),
    path("annotations/", annotation_views.annotation_collection, name="annotation_collection"),
    path("annotations/links/", annotation_views.link_collection, name="link_collection"),
    path("annotations/links/<num:link>.jsonld", annotation_views.link_annotation, name="link_annotation"),
    path(
        "documents/<uslug:slug>/annotations/",
        annotation_views.document_annotations,
        name="document_annotations",
    ),
    path("ns/margins.jsonld", annotation_views.margins_context, name="margins_context"),
]
