"""backup_export / backup_import: a versioned bundle that restores an identical database,
and a restore that refuses a bad bundle or a non-empty database without writing a row."""

import datetime
import hashlib
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govtracker.backup import FORMAT_VERSION, BackupError, backup_import, backup_models
from metrics.models import Indicator, Observation
from plans.models import Jurisdiction, Milestone, Plan, ProgressUpdate, Source
from tests.factories import (
    make_indicator,
    make_jurisdiction,
    make_milestone,
    make_observation,
    make_plan,
    make_source,
    make_target,
    make_update,
)


def natural(obj):
    return obj.natural_key() if hasattr(obj, "natural_key") else obj.pk


def snapshot() -> dict:
    """Every row of every backed-up model, with its many-to-many links."""
    data = {}
    for model in backup_models():
        label = model._meta.label_lower
        data[label] = list(model._base_manager.order_by("pk").values())
        for field in model._meta.many_to_many:
            data[f"{label}.{field.name}"] = sorted(
                (obj.pk, natural(related))
                for obj in model._base_manager.all()
                for related in getattr(obj, field.name).all()
            )
    return data


def make_synthetic_data() -> None:
    """One of everything, with the awkward cases: nesting, M2M, authors, permissions."""
    editors = Group.objects.create(name="虛構編輯組")
    editors.permissions.set(
        Permission.objects.filter(codename__in=["change_plan", "add_milestone"])
    )
    editor = User.objects.create_user("fictional-editor", password="x" * 20, email="e@example.org")
    editor.groups.add(editors)
    editor.user_permissions.add(Permission.objects.get(codename="view_source"))
    province = make_jurisdiction()
    city = make_jurisdiction(level="prefecture", parent=province)
    sources = [
        make_source(url="https://example.org/a", published_on=datetime.date(2021, 5, 1)),
        make_source(),
    ]
    plan = make_plan(jurisdiction=city, summary="虛構摘要 <b>", summary_en="Fictional summary")
    plan.sources.set(sources)
    parent = make_milestone(plan=plan, weight=Decimal("2.5"))
    child = make_milestone(plan=plan, parent=parent, position=2)
    quantitative = make_milestone(plan=plan, kind="quantitative", unit="個", position=3)
    make_update(milestone=child, sources=sources, author=editor, narrative="虛構進展")
    make_update(milestone=quantitative, as_of=datetime.date(2022, 3, 31), published_on=None)
    quantitative.statement = "修訂後的目標"
    quantitative.save()  # version 2
    indicator = make_indicator(scope="虛構範圍")
    indicator.sources.add(sources[0])
    national = make_jurisdiction(level="national")
    make_observation(
        indicator=indicator,
        jurisdiction=national,
        numerator=10,
        denominator=32,
        value=Decimal("31.3"),
    )
    make_target(
        indicator=indicator,
        jurisdiction=national,
        value=Decimal(80),
        due_on=datetime.date(2025, 12, 31),
    )


def round_trip(tmp_path: Path) -> tuple[dict, dict]:
    before = snapshot()
    bundle = tmp_path / "backup.zip"
    call_command("backup_export", str(bundle), verbosity=0)
    call_command("flush", "--noinput", verbosity=0)
    assert not Plan.objects.exists() and not User.objects.exists()
    call_command("backup_import", str(bundle), verbosity=0)
    return before, snapshot()


@pytest.mark.django_db(transaction=True)
def test_source_data_round_trips_identically(tmp_path):
    from plans.services import source_data_load

    source_data_load()
    before, after = round_trip(tmp_path)
    assert before["plans.plan"] and before["plans.jurisdiction"] and before["metrics.observation"]
    assert after == before


@pytest.mark.django_db(transaction=True)
def test_synthetic_data_round_trips_identically(tmp_path):
    make_synthetic_data()
    before, after = round_trip(tmp_path)
    assert len(before["plans.progressupdate.sources"]) == 3
    assert before["auth.group.permissions"] and before["auth.user.groups"]
    assert after == before
    # Ids continue after the restored ones (sequences reset on PostgreSQL).
    new_plan = make_plan()
    assert new_plan.pk > max(row["id"] for row in before["plans.plan"])
    make_update(milestone=make_milestone(plan=new_plan))


def test_every_model_of_the_project_apps_is_backed_up():
    labels = {model._meta.label_lower for model in backup_models()}
    assert {
        "auth.user",
        "auth.group",
        "plans.jurisdiction",
        "plans.plan",
        "plans.milestone",
        "plans.progressupdate",
        "plans.source",
        "metrics.indicator",
        "metrics.indicatortarget",
        "metrics.observation",
    } <= labels
    assert "contenttypes.contenttype" not in labels and "sessions.session" not in labels


@pytest.mark.django_db
def test_manifest_says_what_is_inside(tmp_path):
    make_synthetic_data()
    bundle = tmp_path / "b.zip"
    call_command("backup_export", str(bundle), verbosity=0)
    with zipfile.ZipFile(bundle) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert manifest["format"] == "govtracker-backup"
        assert manifest["format_version"] == FORMAT_VERSION
        assert manifest["app_version"] == "0.1.0"
        assert any(name.endswith("_optimistic_locking") for name in manifest["migrations"]["plans"])
        entry = manifest["models"]["plans.milestone"]
        assert entry["rows"] == Milestone.objects.count() == 3
        assert hashlib.sha256(z.read(entry["file"])).hexdigest() == entry["sha256"]


# -- refusals -------------------------------------------------------------------------------


def empty_database() -> None:
    """Delete every backed-up row inside the test's transaction (foreign keys are deferred)."""
    with connection.cursor() as cursor:
        for model in backup_models():
            for field in model._meta.many_to_many:
                cursor.execute(
                    f"DELETE FROM {connection.ops.quote_name(field.remote_field.through._meta.db_table)}"
                )
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def rewrite(src: Path, dst: Path, *, manifest=None, files: dict | None = None) -> None:
    """Copy a bundle, changing the manifest or some files (checksums follow the files)."""
    with zipfile.ZipFile(src) as old:
        contents = {name: old.read(name) for name in old.namelist()}
    data = json.loads(contents["manifest.json"])
    for name, new in (files or {}).items():
        contents[name] = new
        label = name.removeprefix("data/").removesuffix(".jsonl")
        data["models"][label]["sha256"] = hashlib.sha256(new).hexdigest()
    if manifest is not None:
        data = manifest(data)
    contents["manifest.json"] = json.dumps(data).encode() if not isinstance(data, bytes) else data
    with zipfile.ZipFile(dst, "w") as new_zip:
        for name, body in contents.items():
            new_zip.writestr(name, body)


@pytest.fixture
def exported(db, tmp_path):
    """A bundle of the synthetic data, and a database emptied afterwards."""
    make_synthetic_data()
    bundle = tmp_path / "good.zip"
    call_command("backup_export", str(bundle), verbosity=0)
    empty_database()
    return bundle


def assert_nothing_written():
    assert not any(model._base_manager.exists() for model in backup_models())


def test_import_refuses_a_non_empty_database(db, tmp_path):
    make_synthetic_data()
    bundle = tmp_path / "b.zip"
    call_command("backup_export", str(bundle), verbosity=0)
    before = snapshot()
    with pytest.raises(CommandError, match="The database is not empty"):
        call_command("backup_import", str(bundle), verbosity=0)
    assert snapshot() == before


def test_import_refuses_another_format_version(exported, tmp_path):
    bad = tmp_path / "v2.zip"
    rewrite(exported, bad, manifest=lambda m: {**m, "format_version": 2})
    with pytest.raises(CommandError, match="format version 2"):
        call_command("backup_import", str(bad), verbosity=0)
    assert_nothing_written()


def test_import_refuses_a_damaged_file(exported, tmp_path):
    bad = tmp_path / "damaged.zip"
    with zipfile.ZipFile(exported) as z:
        contents = {n: z.read(n) for n in z.namelist()}
    contents["data/plans.plan.jsonl"] = contents["data/plans.plan.jsonl"].replace(
        b"Fictional", b"Fictitious"
    )
    with zipfile.ZipFile(bad, "w") as z:
        for name, body in contents.items():
            z.writestr(name, body)
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("backup_import", str(bad), verbosity=0)
    assert_nothing_written()


def test_import_refuses_another_migration_state(exported, tmp_path):
    bad = tmp_path / "old.zip"

    def older(manifest):
        manifest["migrations"]["plans"] = ["0001_initial"]
        return manifest

    rewrite(exported, bad, manifest=older)
    with pytest.raises(CommandError, match="different migration state of 'plans'"):
        call_command("backup_import", str(bad), verbosity=0)
    assert_nothing_written()


def test_a_row_that_breaks_a_constraint_rolls_back_the_whole_restore(exported, tmp_path):
    with zipfile.ZipFile(exported) as z:
        lines = z.read("data/plans.milestone.jsonl").decode().splitlines()
    row = json.loads(lines[-1])
    row["fields"]["weight"] = "-1.000"  # the database refuses a weight below zero
    lines[-1] = json.dumps(row, ensure_ascii=False)
    bad = tmp_path / "constraint.zip"
    rewrite(exported, bad, files={"data/plans.milestone.jsonl": ("\n".join(lines) + "\n").encode()})
    with pytest.raises(BackupError, match="nothing was written"):
        with transaction.atomic():
            backup_import(bad)
    assert_nothing_written()


def test_a_dangling_reference_rolls_back_the_whole_restore(exported, tmp_path):
    with zipfile.ZipFile(exported) as z:
        lines = z.read("data/plans.plan.jsonl").decode().splitlines()
    row = json.loads(lines[0])
    row["fields"]["jurisdiction"] = 987654
    lines[0] = json.dumps(row, ensure_ascii=False)
    bad = tmp_path / "dangling.zip"
    rewrite(exported, bad, files={"data/plans.plan.jsonl": ("\n".join(lines) + "\n").encode()})
    with pytest.raises(BackupError):
        with transaction.atomic():
            backup_import(bad)
    assert_nothing_written()


def test_the_good_bundle_restores_after_the_refusals(exported):
    counts = backup_import(exported)
    assert counts["plans.milestone"] == 3
    assert Jurisdiction.objects.count() == 3 and Source.objects.count() >= 2
    assert Indicator.objects.count() == 1 and Observation.objects.count() == 1
    assert ProgressUpdate.objects.get(author__username="fictional-editor").sources.count() == 2


# -- fuzz: whatever the file holds, a clear BackupError and no partial write ---------------

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def attempt_import(path: Path) -> None:
    """Import inside a rolled-back transaction; a refusal must leave no row behind."""
    with transaction.atomic():
        try:
            backup_import(path)
        except BackupError:
            assert_nothing_written()
        transaction.set_rollback(True)


@FUZZ
@given(junk=st.binary(max_size=2000))
def test_fuzz_arbitrary_bytes_are_refused(exported, tmp_path, junk):
    bad = tmp_path / "junk.zip"
    bad.write_bytes(junk)
    with pytest.raises(BackupError):
        backup_import(bad)
    assert_nothing_written()


@FUZZ
@given(
    key=st.sampled_from(["format", "format_version", "models", "migrations", "app_version"]),
    value=JSON_VALUES,
)
def test_fuzz_manifest_values(exported, tmp_path, key, value):
    bad = tmp_path / "manifest.zip"
    rewrite(exported, bad, manifest=lambda m: {**m, key: value})
    attempt_import(bad)


@FUZZ
@given(data=st.data())
def test_fuzz_field_values_in_rows(exported, tmp_path, data):
    with zipfile.ZipFile(exported) as z:
        names = [n for n in z.namelist() if n.startswith("data/") and z.read(n)]
        name = data.draw(st.sampled_from(sorted(names)))
        lines = z.read(name).decode().splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    row = json.loads(lines[index])
    field = data.draw(st.sampled_from(sorted(row["fields"]) + ["pk", "model"]))
    value = data.draw(JSON_VALUES)
    if field in ("pk", "model"):
        row[field] = value
    else:
        row["fields"][field] = value
    lines[index] = json.dumps(row, ensure_ascii=False)
    bad = tmp_path / "row.zip"
    rewrite(exported, bad, files={name: ("\n".join(lines) + "\n").encode()})
    attempt_import(bad)
