from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

ANALYSTS = "Analysts"
# Printed by `make run`; the account is for local use only.
DEMO_PASSWORD = "margins-demo"  # noqa: S105


class Command(BaseCommand):
    help = (
        "Create the local demo analyst (user “analyst”, password “margins-demo”, staff, member of "
        "Analysts). Refuses to run when DJANGO_ENV=production. Running it again keeps the "
        "existing password unless --reset-password is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="Set the password back to the demo password even if it was changed.",
        )

    def handle(self, *args, reset_password, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "Refusing to create the demo analyst: DJANGO_ENV is production. Its password is "
                "published in the README; create real accounts with `manage.py createsuperuser` "
                "or in the admin."
            )
        username = settings.MARGINS_DEMO_USER
        try:
            group = Group.objects.get(name=ANALYSTS)
        except Group.DoesNotExist:
            raise CommandError(
                f"The “{ANALYSTS}” group does not exist; run `manage.py migrate` first."
            ) from None

        with transaction.atomic():
            user, created = get_user_model().objects.get_or_create(username=username)
            if created or reset_password:
                user.set_password(DEMO_PASSWORD)
            user.is_staff = True
            user.is_active = True
            user.save()
            user.groups.add(group)

        if created:
            message = (
                f"Created the demo analyst “{username}” with password “{DEMO_PASSWORD}” (local use only)."
            )
        elif reset_password:
            message = f"The demo analyst “{username}” exists; its password is reset to “{DEMO_PASSWORD}”."
        else:
            message = (
                f"The demo analyst “{username}” exists; its password was left as it is "
                "(use --reset-password to reset it)."
            )
        self.stdout.write(self.style.SUCCESS(message))
