from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from plans.models import Jurisdiction
from plans.services import editor_assign


class Command(BaseCommand):
    help = (
        "Make a user an editor of jurisdictions, given by code (CN means everything): "
        "assign_editor <username> <code> [<code> ...]. The user gets admin access and the "
        "editors' permissions; the jurisdictions are added to any they already edit."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("codes", nargs="+", metavar="code")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the user's jurisdictions instead of adding to them.",
        )

    def handle(self, *args, username: str, codes: list[str], replace: bool = False, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist as e:
            raise CommandError(f"No user named {username!r}.") from e
        jurisdictions = list(Jurisdiction.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {j.code for j in jurisdictions})
        if missing:
            raise CommandError(f"No jurisdiction with code {', '.join(missing)}.")
        editor = editor_assign(user=user, jurisdictions=jurisdictions, replace=replace)
        scope = ", ".join(f"{j.code} {j.name_en}" for j in editor.jurisdictions.all())
        self.stdout.write(self.style.SUCCESS(f"{username} edits: {scope}"))
