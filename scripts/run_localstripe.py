"""Runs localstripe (the offline Stripe stand-in) with its store where we want it.

localstripe pickles its whole store to the fixed path /tmp/localstripe.pickle after every write.
Here the store lives at $LOCALSTRIPE_STORE (`make run`: var/localstripe.pickle, so saved cards
survive a restart), or in memory only when that is empty (`make test`: no disk write per call,
and never over the development store).
"""

import os
import pickle
from pathlib import Path

from localstripe import resources, server

STORE = os.environ.get("LOCALSTRIPE_STORE", "")


def _load(store: resources.Store) -> None:
    if STORE and Path(STORE).exists():
        with open(STORE, "rb") as file:
            saved = pickle.load(file)  # our own file, written below
        store.clear()
        store.update(saved)


def _dump(store: resources.Store) -> None:
    if not STORE:
        return
    partial = f"{STORE}.partial"
    with open(partial, "wb") as file:
        pickle.dump(dict(store), file, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, STORE)


resources.Store.try_load_from_disk = _load
resources.Store.dump_to_disk = _dump

if __name__ == "__main__":
    server.start()
