# The rows per plan and deadline year now count every milestone due in the year,
# sub-milestones included, where their counts per status and their due counts were of
# top-level milestones: same columns, another meaning, so no schema change.

from django.db import migrations


def rebuild_on_next_refresh(apps, schema_editor):
    """The rows hold the old counts: mark the whole snapshot as never built, so that pages
    compute live (correct, slower) until the next `refresh_status_snapshot` (or
    `load_source_data`) rebuilds it, rather than showing a year's old counts beside a
    list of its milestones that disagrees with them."""
    SnapshotState = apps.get_model("plans", "SnapshotState")
    SnapshotState.objects.using(schema_editor.connection.alias).update(valid_for=None)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0013_plan_year_snapshot"),
    ]

    operations = [
        migrations.RunPython(rebuild_on_next_refresh, migrations.RunPython.noop),
    ]
