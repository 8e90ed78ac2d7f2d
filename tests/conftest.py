"""Shared users: an analyst (member of Analysts), a reader (signed in, no
group) and an outsider (anonymous). Tests ask for the client they need."""

import shutil

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.test import Client, RequestFactory
from hypothesis import settings as hypothesis_settings

from archive import caching
from archive.services.seed import load_seed
from archive.text import embedding
from tests.factories import make_person

PASSWORD = "correct horse battery staple"

# Hypothesis' per-example deadline is a timed test: on a loaded 2-core machine it
# fails examples that are merely slow. Speed is measured in bench/, not here.
hypothesis_settings.register_profile("margins", deadline=None)
hypothesis_settings.load_profile("margins")


def sign_in(**credentials):
    """``authenticate`` as the sign-in page calls it: with a request, which the
    sign-in throttling (django-axes) needs to know where the attempt comes from."""
    return authenticate(RequestFactory().post("/accounts/login/"), **credentials)


@pytest.fixture
def analyst_user(db):
    user = User.objects.create_user("ana", "ana@example.org", PASSWORD)
    user.groups.add(Group.objects.get(name="Analysts"))
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def reader_user(db):
    return User.objects.create_user("rea", "rea@example.org", PASSWORD)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.org", PASSWORD)


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def analyst(analyst_user):
    return _signed_in(analyst_user)


@pytest.fixture
def reader(reader_user):
    return _signed_in(reader_user)


@pytest.fixture
def outsider(db):
    return Client()


@pytest.fixture
def admin_client_super(superuser):
    return _signed_in(superuser)


@pytest.fixture
def khamenei(db):
    """A person with aliases, as the claimant searches and forms resolve them."""
    return make_person(
        name="Ali Khamenei",
        slug="ali-khamenei",
        role="Supreme Leader",
        aliases="Ayatollah Seyyed Ali Khamenei\nImam Khamenei\nSupreme Leader",
    )


@pytest.fixture
def seeded(db):
    """The seed corpus loaded: five captures with their claims and links. Returns the load's summary."""
    return load_seed()


def ensure_analysts_group():
    """Recreate the Analysts group from the data migrations' own grants if a
    transactional test's flush removed it (browser tests flush the database)."""
    import importlib

    from django.apps import apps

    if Group.objects.filter(name="Analysts").exists():
        return
    importlib.import_module("archive.migrations.0002_analysts_group").create_group(apps, None)
    importlib.import_module("archive.migrations.0004_analysts_links_versions").grant(apps, None)


def pytest_collection_modifyitems(items):
    # Browser tests use a live server and flush the database after each test;
    # running them last keeps every other test on the migrated data.
    items.sort(key=lambda item: "/browser/" in str(item.fspath).replace("\\", "/"))


@pytest.fixture
def kept(settings):
    """Pages kept for anonymous visitors (``archive.caching``), which the test settings turn off."""
    settings.MARGINS_PAGE_CACHE_SECONDS = 300
    cache.clear()
    caching.recent.clear()
    yield
    cache.clear()
    caching.recent.clear()


# The host of the archive the Hypothesis export was made on, and the addresses it
# names for two seed documents (the seed records none; see tests/fixtures/hypothesis/README.md).
EXPORT_HOST = "margins.example.org"
CALIBER_ORIGINAL = (
    "https://caliber.az/en/post/iran-s-khamenei-urges-syrian-youth-to-resist-foreign-occupation"
)
ENVOY_ARCHIVED = (
    "https://web.archive.org/web/20210104101500/https://news.example.net/soleimani-envoy-to-syria"
)


@pytest.fixture
def annotated_seed(seeded):
    """The seed corpus with the original and archived URLs the Hypothesis export names."""
    from archive.models import Document

    Document.objects.filter(slug="caliber-az-khamenei-urges-syrian-youth-to-resist").update(
        original_url=CALIBER_ORIGINAL
    )
    Document.objects.filter(slug="soleimani-death-pumped-new-blood-iran-envoy-to-syria").update(
        archived_url=ENVOY_ARCHIVED
    )
    return seeded


@pytest.fixture
def model_copy(tmp_path):
    """A copy of the sentence model's files that a test may damage."""
    folder = tmp_path / "embedding_model"
    folder.mkdir()
    for name in embedding.PINNED:
        shutil.copyfile(embedding.MODEL_DIR / name, folder / name)
    return folder
