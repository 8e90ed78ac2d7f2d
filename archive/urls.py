from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from archive import views

app_name = "archive"

archive_patterns = [
    path("", views.document_list, name="document_list"),
    path("documents/<slug:slug>/", views.document_detail, name="document_detail"),
    path("documents/<slug:slug>/raw/", views.document_raw, name="document_raw"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag_detail"),
    path("people/<slug:slug>/", views.person_detail, name="person_detail"),
    path("sources/<slug:slug>/", views.source_detail, name="source_detail"),
    path("compare/", views.compare, name="compare"),
]

urlpatterns = [
    path("", include((archive_patterns, "archive"))),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
