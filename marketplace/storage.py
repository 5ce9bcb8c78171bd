"""The storage of files only checked views serve (STORAGES["private"]: message, review and
support case photos, invoices). Everything else any visitor may see is in `default_storage`.

A file field takes `storage=private_storage` (the callable, so migrations name it).
"""

from django.core.files.storage import Storage, storages


class _PrivateStorage(Storage):
    """Stands for storages["private"] at every use, so it follows STORAGES as Django's
    `default_storage` does (tests that change the setting included). It is a Storage by its
    type, so defining a file field (when models are imported) looks nothing up."""

    def __getattribute__(self, name: str) -> object:
        return getattr(storages["private"], name)

    def __eq__(self, other: object) -> bool:
        return storages["private"] == other

    def __hash__(self) -> int:
        return hash(storages["private"])

    def __repr__(self) -> str:
        return f"<private storage: {storages['private']!r}>"


_private = _PrivateStorage()


def private_storage() -> Storage:
    return _private
