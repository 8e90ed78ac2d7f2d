"""Helpers for data migrations that grant group permissions."""

from django.contrib.auth.management import create_permissions


def ensure_permissions(apps):
    # Permissions are normally created after all migrations ran; create them
    # now so groups can be filled on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None


def _lookup(apps, permissions):
    Permission = apps.get_model("auth", "Permission")
    found = []
    for app_label, codenames in permissions.items():
        rows = list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
        missing = set(codenames) - {p.codename for p in rows}
        if missing:
            raise RuntimeError(f"Permissions not found for {app_label}: {sorted(missing)}")
        found.extend(rows)
    return found


def grant(apps, group_name, permissions):
    ensure_permissions(apps)
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=group_name)
    group.permissions.add(*_lookup(apps, permissions))


def revoke(apps, group_name, permissions):
    group = apps.get_model("auth", "Group").objects.filter(name=group_name).first()
    if group is not None:
        group.permissions.remove(*_lookup(apps, permissions))
