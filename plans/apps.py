from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"
    verbose_name = _("Plans and progress")

    def ready(self):
        from govtracker import cache, pg_loaders
        from plans import snapshot

        # Every write to the data's tables makes the page cache stale once it commits.
        cache.install()
        # Writes keep the status snapshot true (plans/snapshot.py).
        snapshot.connect()
        # Timestamps parsed by psycopg's C loader (govtracker/pg_loaders.py says why).
        pg_loaders.install()
