from django.core.management.base import BaseCommand

from plans import snapshot
from plans.services import source_data_load


class Command(BaseCommand):
    help = (
        "Load the reference jurisdictions and every fact of the source document "
        "(plans, milestones, indicators, observations). Safe to run again: it changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help="Also restore rows that editors changed to the values of the source data.",
        )

    def handle(self, *args, update: bool = False, **options):
        counts = source_data_load(update=update)
        for key in sorted(counts):
            self.stdout.write(f"{key}: {counts[key]}")
        # Leave the status snapshot valid for today (built in full the first time).
        refreshed = snapshot.refresh()
        self.stdout.write(f"status snapshot valid for {refreshed.valid_for}")
        created = sum(v for k, v in counts.items() if k.endswith("created"))
        self.stdout.write(self.style.SUCCESS(f"Source data loaded ({created} rows created)."))
