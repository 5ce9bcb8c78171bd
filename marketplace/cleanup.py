"""Helpers of the daily clean-up that know no app: deleting rows in short batches, and finding
uploaded files that no row names (every model's file fields, read from the app registry).

The rules (what is old enough to go) live in each app's services; cleanup/services.py runs them.
"""

import logging
import posixpath
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import Storage, storages
from django.db import models, transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")


def ids_in_batches(queryset: models.QuerySet, *, batch_size: int) -> Iterator[list]:
    """The primary keys of `queryset` in order, `batch_size` at a time, each batch asked for
    afresh after the last key of the one before (rows the caller deleted meanwhile cost
    nothing, and nothing is loaded whole)."""
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        ids = list(page.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def each_logged(ids: list, act: Callable[[object], T], *, what: str) -> list[T]:
    """`act` on each id; one that fails is logged (with `what` and the id) and left for the next
    run, so it holds back none of the others."""
    done = []
    for pk in ids:
        try:
            done.append(act(pk))
        except Exception:
            logger.exception("Clean-up: %s %s failed", what, pk)
    return done


def delete_in_batches(queryset: models.QuerySet, *, batch_size: int, dry_run: bool = False) -> int:
    """Delete the rows of `queryset`, `batch_size` at a time, each batch in its own short
    transaction (a backlog of millions holds no long lock and loads nothing whole); returns how
    many rows of its model went (or, in a dry run, would go). The filter is applied again in
    each delete, so a row that stopped matching meanwhile stays."""
    if dry_run:
        return queryset.count()
    label = queryset.model._meta.label
    deleted = 0
    for ids in ids_in_batches(queryset, batch_size=batch_size):
        with transaction.atomic():
            deleted += queryset.filter(pk__in=ids).delete()[1].get(label, 0)
    return deleted


Folders = dict[tuple[str, str], list[tuple[type[models.Model], str]]]


def upload_folders() -> Folders:
    """The storage (its STORAGES alias: "default", "private") and top folder each file field of
    each model uploads into (("default", "avatars"), ("private", "chat")...), with the (model,
    field name) pairs that store files there. A field that would store files at the top of a
    storage has no folder of its own and is left out: the sweep never lists a whole storage
    (the demo's shared pictures live in folders of their own)."""
    folders: Folders = {}
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.get_fields():
            if not isinstance(field, models.FileField):
                continue
            name = field.generate_filename(model(), "probe")
            folder = name.split("/", 1)[0] if "/" in name else ""
            if folder:
                key = (_alias(field.storage), folder)
                folders.setdefault(key, []).append((model, field.name))
    return folders


def _alias(storage: Storage) -> str:
    """The STORAGES alias of a field's storage (`default_storage` and marketplace.storage's
    private one are lazy handles that compare equal to the storage they stand for)."""
    for alias in settings.STORAGES:
        if alias != "staticfiles" and storage == storages[alias]:
            return alias
    raise ImproperlyConfigured(f"A file field's storage ({storage!r}) is not one of STORAGES.")


def _files_under(storage: Storage, folder: str) -> Iterator[list[str]]:
    """The names of the files in `folder` and every folder below it, a folder (on S3 a page
    of up to 1,000 names) at a time."""
    from storages.backends.s3 import S3Storage  # boto3: imported only where a bucket is used

    if isinstance(storage, S3Storage):
        yield from _keys_under(storage, folder)
        return
    try:
        subfolders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    if files:
        yield [posixpath.join(folder, name) for name in files]
    for subfolder in subfolders:
        yield from _files_under(storage, posixpath.join(folder, subfolder))


def _keys_under(storage: Storage, folder: str) -> Iterator[list[str]]:
    """On S3 a folder is a prefix: one flat listing of every key under it (a request per 1,000
    keys), where walking it folder by folder would cost a request for each listing's folder.
    The settings give the storages no `location`, so a key is the file's name."""
    pages = storage.connection.meta.client.get_paginator("list_objects_v2").paginate(
        Bucket=storage.bucket_name, Prefix=f"{folder}/"
    )
    for page in pages:
        keys = [item["Key"] for item in page.get("Contents", ()) if not item["Key"].endswith("/")]
        if keys:
            yield keys


def _named(names: list[str], fields: list[tuple[type[models.Model], str]]) -> set[str]:
    named: set[str] = set()
    for model, field in fields:
        rows = model._base_manager.filter(**{f"{field}__in": names})
        named.update(rows.values_list(field, flat=True))
    return named


def orphaned_files_delete(
    *, older_than: datetime, limit: int, dry_run: bool = False, chunk: int = 500
) -> int:
    """Delete uploaded files that no row names and that were last written before `older_than`
    (an upload is stored before its row is written); at most `limit` files a run. Returns how
    many went (or would go). A file is named when a row of a field that uploads into the same
    top folder holds its name. The rows are asked first, so only orphans cost a look at the
    file's time (on S3 a request each)."""
    removed = 0
    for (alias, folder), fields in sorted(upload_folders().items()):
        storage = storages[alias]
        for names in _files_under(storage, folder):
            for start in range(0, len(names), chunk):
                part = names[start : start + chunk]
                for name in sorted(set(part) - _named(part, fields)):
                    if removed >= limit:
                        return removed
                    try:
                        if storage.get_modified_time(name) >= older_than:
                            continue
                        if not dry_run:
                            storage.delete(name)
                    except Exception:  # on disk an OSError, on S3 botocore's
                        # ClientError (deleted since it was listed, a refused request)
                        logger.warning("Clean-up could not remove the file %s", name, exc_info=True)
                        continue
                    removed += 1
    return removed
