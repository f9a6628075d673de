from django.core.management.base import BaseCommand, CommandError

from govtracker.backup import BackupError, backup_import


class Command(BaseCommand):
    help = (
        "Restore a bundle written by backup_export into an empty, migrated database, in one "
        "transaction: every row is restored or none is."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The bundle to restore.")
        parser.add_argument("--database", default="default", help="Database alias to write.")

    def handle(self, *args, path: str, database: str, **options):
        verbose = options.get("verbosity", 1) >= 1
        try:
            counts = backup_import(path, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        for label, rows in counts.items():
            if verbose:
                self.stdout.write(f"{label}: {rows}")
        self.stdout.write(self.style.SUCCESS(f"Restored {sum(counts.values())} rows from {path}."))
