"""Backups: every row of the project's data in one versioned bundle, and back.

A bundle is a zip file:
    manifest.json                  format, format_version, app version, creation time,
                                   applied migrations, and per model: file, rows, sha256
    data/<app_label>.<model>.jsonl  one Django-serialized object per line, primary keys kept

What is in it: every concrete model of the project's own apps (found through django.apps,
so models added later are covered without touching this file) plus users and groups,
except derived tables (a model with `derived_data = True`, the status snapshot), which a
restore rebuilds.
Foreign keys to users, groups, permissions and content types are written as natural keys
(a permission's id differs from one database to another); everything else keeps its id.

`backup_import` restores a bundle into an empty, migrated database in one transaction:
either every row is written or none is.
"""

import datetime
import hashlib
import io
import json
import tomllib
import zipfile
from collections.abc import Iterable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "govtracker-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
EXTRA_MODELS = ["auth.Group", "auth.User"]
CHUNK_SIZE = 2000


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (Django's cuts them to
    milliseconds, so a restored `modified` would differ from the original)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """The bundle cannot be written or restored; the message says why, for an operator."""


def app_version() -> str:
    pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
    with pyproject.open("rb") as f:
        return tomllib.load(f)["project"]["version"]


def _is_project_app(app_config) -> bool:
    path = Path(app_config.path).resolve()
    return path.is_relative_to(Path(settings.BASE_DIR).resolve()) and "site-packages" not in (
        path.parts
    )


def backup_models() -> list[type[models.Model]]:
    """The models a bundle holds, parents before the rows that point to them."""
    chosen = [apps.get_model(label) for label in EXTRA_MODELS]
    for app_config in apps.get_app_configs():
        if _is_project_app(app_config):
            chosen += [
                model
                for model in app_config.get_models()
                if model._meta.managed
                and not model._meta.proxy
                # Derived tables (the status snapshot) are rebuilt after a restore.
                and not getattr(model, "derived_data", False)
            ]
    return serializers.sort_dependencies([(None, chosen)], allow_cycles=True)


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _queryset(model: type[models.Model], using: str) -> models.QuerySet:
    m2m = [field.name for field in model._meta.many_to_many]
    return model._base_manager.using(using).order_by("pk").prefetch_related(*m2m)


class _CountingHasher(io.TextIOBase):
    """A text sink that writes UTF-8 to a binary file, hashing and counting lines."""

    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.lines = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.raw.write(data)
        self.sha256.update(data)
        self.lines += text.count("\n")
        return len(text)


def _applied_migrations(using: str, app_labels: Iterable[str]) -> dict[str, list[str]]:
    applied = MigrationRecorder(connections[using]).applied_migrations()
    labels = set(app_labels)
    result: dict[str, list[str]] = {label: [] for label in sorted(labels)}
    for app_label, name in applied:
        if app_label in labels:
            result[app_label].append(name)
    return {label: sorted(names) for label, names in result.items()}


def backup_export(path: Path | str, *, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Write every row to a bundle at `path`; return its manifest."""
    path = Path(path)
    chosen = backup_models()
    connection = connections[using]
    entries = {}
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and not connection.savepoint_ids:
            # One consistent snapshot of every table, even while editors keep writing.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for model in chosen:
                name = f"data/{_label(model)}.jsonl"
                with bundle.open(name, "w", force_zip64=True) as raw:
                    sink = _CountingHasher(raw)
                    serializers.serialize(
                        "jsonl",
                        _queryset(model, using).iterator(chunk_size=CHUNK_SIZE),
                        stream=sink,
                        use_natural_foreign_keys=True,
                        cls=ExactJSONEncoder,
                    )
                entries[_label(model)] = {
                    "file": name,
                    "rows": sink.lines,
                    "sha256": sink.sha256.hexdigest(),
                }
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "app_version": app_version(),
                "created": timezone.now().isoformat(),
                "database": connection.vendor,
                "migrations": _applied_migrations(
                    using, {model._meta.app_label for model in chosen}
                ),
                "models": entries,
            }
            bundle.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


def read_manifest(bundle: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(bundle.read(MANIFEST))
    except KeyError:
        raise BackupError("Not a govtracker backup: the bundle has no manifest.json.") from None
    except ValueError as error:
        raise BackupError(f"manifest.json is not valid JSON: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f'Not a govtracker backup: manifest.json does not say "{FORMAT}".')
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"This bundle has format version {manifest.get('format_version')!r}; this "
            f"version of govtracker reads format version {FORMAT_VERSION} only."
        )
    if not isinstance(manifest.get("models"), dict) or not isinstance(
        manifest.get("migrations"), dict
    ):
        raise BackupError("manifest.json lacks its list of models or of migrations.")
    return manifest


def _check_bundle(bundle: zipfile.ZipFile, manifest: dict) -> list[tuple[type, dict]]:
    """Every file present, unaltered, for a model this code knows. Returns them in order."""
    known = {_label(model): model for model in backup_models()}
    unknown = sorted(set(manifest["models"]) - set(known))
    if unknown:
        raise BackupError(f"The bundle holds models this code does not have: {', '.join(unknown)}.")
    missing = sorted(set(known) - set(manifest["models"]))
    if missing:
        raise BackupError(f"The bundle lacks models this code has: {', '.join(missing)}.")
    ordered = []
    for label, model in known.items():
        entry = manifest["models"][label]
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("file"), str)
            and isinstance(entry.get("rows"), int)
            and isinstance(entry.get("sha256"), str)
        ):
            raise BackupError(f"manifest.json: the entry for {label} is incomplete.")
        digest = hashlib.sha256()
        try:
            with bundle.open(entry["file"]) as f:
                for block in iter(lambda f=f: f.read(1 << 20), b""):
                    digest.update(block)
        except KeyError:
            raise BackupError(f"The bundle lacks {entry['file']}.") from None
        if digest.hexdigest() != entry["sha256"]:
            raise BackupError(
                f"{entry['file']} does not match its checksum: the bundle is damaged."
            )
        ordered.append((model, entry))
    return ordered


def _check_target(using: str, manifest: dict) -> None:
    expected_apps = {model._meta.app_label for model in backup_models()}
    if set(manifest["migrations"]) != expected_apps:
        raise BackupError("manifest.json does not list the migrations of every app it holds.")
    here = _applied_migrations(using, expected_apps)
    for app_label, names in manifest["migrations"].items():
        if (
            not isinstance(names, list)
            or not all(isinstance(name, str) for name in names)
            or sorted(names) != here.get(app_label)
        ):
            raise BackupError(
                f"The bundle was made at a different migration state of {app_label!r} than "
                "this database's. Restore it with the govtracker version that made it "
                f"({manifest.get('app_version')}), after `manage.py migrate`; then upgrade."
            )
    not_empty = [
        _label(model) for model in backup_models() if model._base_manager.using(using).exists()
    ]
    if not_empty:
        raise BackupError(
            "The database is not empty (it has rows in "
            f"{', '.join(not_empty)}). Restore into a new, migrated database."
        )


def backup_import(path: Path | str, *, using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Restore a bundle into an empty database, all or nothing. Returns rows per model."""
    try:
        bundle = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(f"Cannot read {path}: {error}") from None
    with bundle:
        manifest = read_manifest(bundle)
        ordered = _check_bundle(bundle, manifest)
        _check_target(using, manifest)
        counts = {}
        try:
            with transaction.atomic(using=using):
                for model, entry in ordered:
                    counts[_label(model)] = _restore_model(bundle, model, entry, using)
                connection = connections[using]
                # Foreign keys are checked at commit on PostgreSQL; check them here too, so
                # that SQLite refuses a dangling reference as well and the message is ours.
                connection.check_constraints(
                    table_names=[model._meta.db_table for model, _ in ordered]
                )
                _reset_sequences(using, [model for model, _ in ordered])
                # Rows were saved raw, without signals: rebuild the derived status
                # snapshot from them, in the same transaction.
                from plans import snapshot

                snapshot.refresh(full=True, using=using)
        except BackupError:
            raise
        except Exception as error:
            # Whatever the bundle holds, a bad row is the operator's to fix: say which,
            # and nothing has been written (the transaction is rolled back).
            raise BackupError(f"Restore refused, nothing was written: {error}") from error
    return counts


def _restore_model(bundle: zipfile.ZipFile, model: type, entry: dict, using: str) -> int:
    rows = 0
    with bundle.open(entry["file"]) as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8")
        for deserialized in serializers.deserialize("jsonl", stream, using=using):
            if type(deserialized.object) is not model:
                raise BackupError(f"{entry['file']} holds a row of another model.")
            links = deserialized.m2m_data or {}  # save() forgets them
            deserialized.save(using=using, save_m2m=False)
            _restore_links(deserialized.object, links, using)
            rows += 1
    if rows != entry["rows"]:
        raise BackupError(f"{entry['file']} holds {rows} rows; manifest.json says {entry['rows']}.")
    return rows


def _restore_links(obj: models.Model, links: dict, using: str) -> None:
    """Write a row's many-to-many links straight into their tables.

    `.set()` would send m2m_changed, and listeners such as django-simple-history's would
    record the restore as new history on top of the history the bundle already holds.
    """
    for name, targets in links.items():
        field = obj._meta.get_field(name)
        through = field.remote_field.through
        source_column = field.m2m_field_name() + "_id"
        target_column = field.m2m_reverse_field_name() + "_id"
        through._base_manager.using(using).bulk_create(
            [through(**{source_column: obj.pk, target_column: target}) for target in targets]
        )


def _reset_sequences(using: str, chosen: list[type[models.Model]]) -> None:
    """Point each id sequence past the restored ids (PostgreSQL; a no-op on SQLite)."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), chosen)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
