"""Strict readers for settings taken from the environment.

Each helper fails loudly on a value it does not understand instead of
guessing, so a typo in a deployment (``DEBUG=ture``) stops the process
at start-up rather than running with a surprising setting.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=None, *, required=False):
    value = os.environ.get(name)
    if value is None:
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name, default, *, minimum=None):
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    return number


def env_list(name, default=()):
    """Comma-separated list; empty items are dropped."""
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name, default):
    """An absolute filesystem path (``~`` expanded). A relative one would depend on
    the directory the process happened to start in, so it is refused."""
    value = os.environ.get(name)
    if value is None:
        return Path(default)
    path = Path(value.strip()).expanduser()
    if not value.strip() or not path.is_absolute():
        raise ImproperlyConfigured(f"{name}={value!r} is not an absolute path.")
    return path
