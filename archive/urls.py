from django.urls import path

from archive import api, converters, views  # noqa: F401  (converters registers "uslug" and "num")

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
    path("claims/<num:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<num:pk>/counterparts/", views.counterpart_accept, name="counterpart_accept"),
    path("claims/<num:pk>/revert/", views.claim_revert, name="claim_revert"),
    path("c/<num:pk>", views.claim_short, name="claim_short"),
    path("tags/<uslug:slug>/", views.tag_detail, name="tag_detail"),
    path("people/<uslug:slug>/", views.person_detail, name="person_detail"),
    path("sources/<uslug:slug>/", views.source_detail, name="source_detail"),
    path("compare/", views.compare, name="compare"),
    path("claim-links/new/", views.claim_link_create, name="claim_link_create"),
    path("imports/annotations/", views.annotation_import, name="annotation_import"),
    # JSON endpoints of the reader's highlighting tool (analysts only).
    # Type-ahead for choosing documents to compare (anyone; drafts for analysts only).
    path("api/documents/suggest/", api.document_suggest, name="api_document_suggest"),
    path("api/documents/<uslug:slug>/claims/", api.claim_create, name="api_claim_create"),
    path("api/claims/<num:pk>/", api.claim_update, name="api_claim_update"),
    path("api/claims/<num:pk>/move/", api.claim_move, name="api_claim_move"),
    path("api/claims/<num:pk>/delete/", api.claim_delete, name="api_claim_delete"),
    path("api/claims/<num:pk>/revert/", api.claim_revert, name="api_claim_revert"),
    path("api/claims/<num:pk>/state/", api.claim_state, name="api_claim_state"),
    path("api/people/", api.people_search, name="api_people"),
    path("api/tags/", api.tag_suggestions, name="api_tags"),
]
