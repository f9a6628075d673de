import time

from django.core.management.base import BaseCommand

from plans import snapshot


class Command(BaseCommand):
    help = (
        "Make the status snapshot (each milestone's current figures) valid for today. "
        "By default only milestones with an update dated or published since the snapshot's "
        "date change; run it just after midnight Asia/Shanghai (README, 'Status snapshot')."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="Recompute every milestone, not only those changed."
        )

    def handle(self, *args, full: bool = False, **options):
        started = time.monotonic()
        result = snapshot.refresh(full=full)
        kind = "full" if result.full else "incremental"
        self.stdout.write(
            self.style.SUCCESS(
                f"Status snapshot valid for {result.valid_for} (was {result.previous}; "
                f"{kind}, {result.rows_written} rows written in "
                f"{time.monotonic() - started:.1f} s)."
            )
        )
