"""The ``jsonl`` format of ``dumpdata``/``loaddata``, times kept to the microsecond (see the package)."""

from django.core.serializers import jsonl

from archive.serializers import exact

Serializer = exact(jsonl.Serializer)
Deserializer = jsonl.Deserializer
