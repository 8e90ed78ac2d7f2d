"""Django's ``json`` and ``jsonl`` serializers, keeping times to the microsecond.

Django's encoder (``DjangoJSONEncoder``) cuts times to milliseconds, as
ECMA-262 writes them, so a ``dumpdata`` → ``loaddata`` round trip changed
every timestamp of the archive (when a claim was made, each audit event).
``SERIALIZATION_MODULES`` (config/settings.py) puts these in place of
Django's for ``dumpdata``; reading is Django's own, which takes ISO 8601 with
microseconds.
"""

import datetime

from django.core.serializers.json import DjangoJSONEncoder


class ExactJSONEncoder(DjangoJSONEncoder):
    """``DjangoJSONEncoder`` with times in full ISO 8601: microseconds and offset kept."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def exact(serializer_class):
    """``serializer_class`` (Django's json or jsonl Serializer) writing times with ``ExactJSONEncoder``."""

    class Serializer(serializer_class):
        def _init_options(self):
            super()._init_options()
            if self.json_kwargs.get("cls") is DjangoJSONEncoder:
                self.json_kwargs["cls"] = ExactJSONEncoder

    return Serializer
