"""The ``json`` format of ``dumpdata``/``loaddata``, times kept to the microsecond (see the package)."""

from django.core.serializers import json

from archive.serializers import exact

Serializer = exact(json.Serializer)
Deserializer = json.Deserializer
