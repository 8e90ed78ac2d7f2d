from django.apps import AppConfig
from django.core import checks


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Margins archive"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from archive.checks import sentence_model_files_are_the_pinned_ones

        checks.register(sentence_model_files_are_the_pinned_ones)
