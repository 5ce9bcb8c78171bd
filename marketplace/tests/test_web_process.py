"""The web process `make run` starts (the Procfile's) does not announce its server software."""

import http.client
import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.system  # starts processes of its own: see pyproject.toml


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _web_command(port: int) -> list[str]:
    """The Procfile's web process (what `make run` starts), on a port of our own."""
    line = next(
        line for line in Path(settings.BASE_DIR, "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )  # fmt: skip
    words = shlex.split(line.removeprefix("web:"))
    words = [{"$WEB_HOST": "127.0.0.1", "$WEB_PORT": str(port)}.get(w, w) for w in words]
    assert words[0].endswith("daphne")
    return [sys.executable, "-m", "daphne", *words[1:]]


def test_the_web_process_does_not_announce_its_server_software(tmp_path):
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "marketplace.settings"}
    with open(tmp_path / "daphne.log", "wb") as log:
        server = subprocess.Popen(
            _web_command(port), cwd=settings.BASE_DIR, env=env, stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/robots.txt", headers={"Host": "localhost"})
                response = connection.getresponse()
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "daphne.log").read_text()
                assert time.monotonic() < deadline, "daphne did not start"
                time.sleep(0.1)
        assert response.status == 200
        assert response.getheader("Server") is None
        assert response.getheader("Cross-Origin-Resource-Policy") == "same-origin"
    finally:
        server.terminate()
        server.wait(timeout=10)
