from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("todo")


document_list = document_detail = claim_detail = tag_detail = person_detail = source_detail = compare = _todo
