"""Shared users: an analyst (member of Analysts), a reader (signed in, no
group) and an outsider (anonymous). Tests ask for the client they need."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

PASSWORD = "correct horse battery staple"


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


@pytest.fixture
def analyst(analyst_user):
    client = Client()
    client.force_login(analyst_user)
    return client


@pytest.fixture
def reader(reader_user):
    client = Client()
    client.force_login(reader_user)
    return client


@pytest.fixture
def outsider(db):
    return Client()


@pytest.fixture
def admin_client_super(superuser):
    client = Client()
    client.force_login(superuser)
    return client
