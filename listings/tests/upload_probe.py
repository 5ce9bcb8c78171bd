"""Measures what one upload request costs in memory, each in a process of its own.

test_upload_memory.py starts this once (`python -m listings.tests.upload_probe`, with the test
database in DATABASE_URL) and writes one JSON request a line to its stdin: the user, the page to
warm up, the URL, the form field, the files, the media folder. Django is set up once; for each
request the probe forks, and the child signs the user in, posts the files through Django's test
client and writes, as one JSON line, the status, the page's text and how far its peak resident
memory rose above what it used just before the request. A child per request keeps one
request's memory from hiding another's, and forking a warmed process costs milliseconds where
starting Python and Django costs seconds.

The peak is the kernel's (VmHWM, reset just before the request through /proc/self/clear_refs):
like getrusage's ru_maxrss it sees Pillow's C allocations, which tracemalloc does not, and pages
the child shares with the probe count once, as they were. The address space is capped so that
a regression fails the test with a MemoryError instead of taking the machine's memory from
everyone else.
"""

import io
import json
import os
import resource
import sys
from pathlib import Path

ADDRESS_SPACE_LIMIT = 4 * 1024**3


def _memory_mb() -> dict[str, float]:
    """This process's resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return {key: int(fields[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM")}


def _reset_peak() -> None:
    """Start the peak (VmHWM) again from the memory in use now (Linux 4.0+)."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def _client(user_pk: int):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(pk=user_pk))
    return client


def _warm_up(spec: dict) -> None:
    """Take every code path an upload takes once (the page, the form, Pillow's plugins), with
    a tiny image that is refused, so a child measures the request and not first-use costs."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    client = _client(spec["user"])
    client.get(spec["page"])
    tiny = io.BytesIO()
    Image.new("RGB", (10, 10)).save(tiny, format="PNG")
    client.post(spec["url"], {spec["field"]: SimpleUploadedFile("warm.png", tiny.getvalue())})


def _measure(spec: dict) -> dict:
    """In the child: post the files and say what it cost."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.utils import override_settings

    with override_settings(MEDIA_ROOT=spec["media"]):
        client = _client(spec["user"])
        files = [
            SimpleUploadedFile(os.path.basename(path), Path(path).read_bytes())
            for path in spec["files"]
        ]
        _reset_peak()
        before = _memory_mb()["VmRSS"]
        response = client.post(spec["url"], {spec["field"]: files})
        peak = _memory_mb()["VmHWM"]
    return {
        "status": response.status_code,
        "peak_mb": round(peak - before, 1),
        "page": response.content.decode(errors="replace"),
    }


def _in_a_child(spec: dict) -> dict:
    from django.db import connections

    connections.close_all()  # the child opens its own; the parent's must not be shared
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        try:
            result = _measure(spec)
        except BaseException as error:  # reported to the test, not lost with the child
            result = {"error": repr(error)}
        with os.fdopen(write_end, "w") as out:
            out.write(json.dumps(result))
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as answer:
        result = json.loads(answer.read() or '{"error": "the child died"}')
    os.waitpid(pid, 0)
    return result


def main() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()
    from django.conf import settings

    # As in the test process (conftest.py): static files from the source folders, no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    warmed: set[str] = set()
    for line in sys.stdin:
        spec = json.loads(line)
        if spec["url"] not in warmed:
            _warm_up(spec)
            warmed.add(spec["url"])
        print(json.dumps(_in_a_child(spec)), flush=True)


if __name__ == "__main__":
    main()
