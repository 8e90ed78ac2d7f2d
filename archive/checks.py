"""System checks of the app, run by ``manage.py`` before runserver, migrate, check,
check --deploy (``make serve``) and the worker's command."""

from django.conf import settings
from django.core import checks

from archive.text import embedding


def embedding_model_dir():
    """The sentence model's folder this process uses (``MARGINS_EMBEDDING_MODEL_DIR``)."""
    return settings.MARGINS_EMBEDDING_MODEL_DIR


def sentence_model_files_are_the_pinned_ones(app_configs=None, **kwargs):
    """archive.E010: a missing or changed model file stops start-up, by name, rather
    than giving echoes from a model nobody vetted. Hashed once per process while
    the files stay untouched (``embedding.verify_once``)."""
    try:
        embedding.verify_once(embedding_model_dir())
    except embedding.ModelIntegrityError as error:
        return [checks.Error(error.problem, hint=error.remedy, id="archive.E010")]
    return []
