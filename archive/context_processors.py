from archive.permissions import is_analyst


def site(request):
    user = getattr(request, "user", None)
    return {
        "is_analyst": is_analyst(user),
    }
