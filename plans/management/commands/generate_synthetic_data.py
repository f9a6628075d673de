from django.core.management.base import BaseCommand, CommandError

from plans import synthetic


class Command(BaseCommand):
    help = (
        "Load fictional jurisdictions, plans, milestones, progress updates and indicator "
        "data at a chosen scale, for performance work (never loaded by `make run`). "
        "The real source data is never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=sorted(synthetic.SCALES),
            help="small (tests, seconds), regional (1/20 of national) or national "
            "(3,000 jurisdictions, 60,000 plans, 1,000,000 milestones, 5,000,000 updates).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="The same seed gives the same data."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First remove previously generated synthetic rows (and only those). "
            "Without --scale, only remove.",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bars on stderr."
        )

    def handle(self, *args, scale=None, seed=1, reset=False, no_progress=False, **options):
        if scale is None and not reset:
            raise CommandError("Give --scale (and/or --reset to remove synthetic data).")
        self.stdout.write(f"Database: {synthetic.database_label()}")
        if reset:
            removed = synthetic.remove()
            total = sum(removed.values())
            details = ", ".join(f"{label} {n:,}" for label, n in removed.items() if n)
            self.stdout.write(
                f"Removed {total:,} synthetic rows" + (f" ({details})." if details else ".")
            )
        if scale is None:
            return
        try:
            result = synthetic.generate(synthetic.SCALES[scale], seed, progress=not no_progress)
        except synthetic.AlreadyPresent as error:
            raise CommandError(str(error)) from error
        width = max(len(label) for label in result.seconds)
        for label, seconds in result.seconds.items():
            count = result.counts.get(label)
            rows = f"{count:>12,} rows" if count is not None else " " * 17
            self.stdout.write(f"  {label:<{width}} {rows} {seconds:8.1f} s")
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic data ({scale}, seed {seed}) loaded: "
                f"{sum(result.counts.values()):,} rows in {result.elapsed:.1f} s."
            )
        )
