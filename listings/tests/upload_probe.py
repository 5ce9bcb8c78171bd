"""Sends one upload request in a process of its own and prints what it cost in memory.

Run by test_upload_memory.py as `python -m listings.tests.upload_probe '<json>'` with the test
database in DATABASE_URL. It sets Django up, signs the user in, warms every code path the
upload takes (the page, the form, Pillow) with a refused tiny image, then posts the files
through Django's test client and prints, as JSON, the status, the page's text and how far the
process's peak resident memory rose above what it used just before the request.

The peak is the kernel's (VmHWM, reset just before the request through /proc/self/clear_refs):
like getrusage's ru_maxrss it sees Pillow's C allocations, which tracemalloc does not, but
ru_maxrss also carries over the parent's peak when subprocess starts a child through
vfork and exec, so a child of a large pytest process would report nothing at all. The address
space is capped so that a regression fails the test with a MemoryError instead of taking the
machine's memory from everyone else.
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


def main() -> None:
    spec = json.loads(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from PIL import Image

    # As in the test process (conftest.py): static files from the source folders, no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(pk=spec["user"]))
    client.get(spec["page"])
    tiny = io.BytesIO()
    Image.new("RGB", (10, 10)).save(tiny, format="PNG")
    client.post(spec["url"], {spec["field"]: SimpleUploadedFile("warm.png", tiny.getvalue())})

    files = [
        SimpleUploadedFile(os.path.basename(path), Path(path).read_bytes())
        for path in spec["files"]
    ]
    _reset_peak()
    before = _memory_mb()["VmRSS"]
    response = client.post(spec["url"], {spec["field"]: files})
    peak = _memory_mb()["VmHWM"]
    print(
        json.dumps(
            {
                "status": response.status_code,
                "peak_mb": round(peak - before, 1),
                "page": response.content.decode(errors="replace"),
            }
        )
    )


if __name__ == "__main__":
    main()
