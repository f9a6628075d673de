from django.core.management.base import BaseCommand, CommandError

from govtracker.backup import BackupError, backup_export


class Command(BaseCommand):
    help = (
        "Write every row (plans, milestones, updates, sources, jurisdictions, indicators, "
        "users and groups) to a versioned backup bundle (a .zip file)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="Where to write the bundle, e.g. govtracker-2026-01-31.zip"
        )
        parser.add_argument("--database", default="default", help="Database alias to read.")

    def handle(self, *args, path: str, database: str, **options):
        verbose = options.get("verbosity", 1) >= 1
        try:
            manifest = backup_export(path, using=database)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        for label, entry in manifest["models"].items():
            if verbose:
                self.stdout.write(f"{label}: {entry['rows']}")
        total = sum(entry["rows"] for entry in manifest["models"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {total} rows to {path} (format version {manifest['format_version']})."
            )
        )
