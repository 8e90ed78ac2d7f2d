def site(request):
    user = getattr(request, "user", None)
    return {
        "is_analyst": bool(user and user.is_authenticated and user.has_perm("archive.add_claim")),
    }
