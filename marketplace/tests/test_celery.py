"""Celery's queues: email on its own, everything else on `default`, and workers that take both."""

import re
import shlex
from pathlib import Path

from django.apps import apps
from django.conf import settings

from marketplace.celery import app

ROOT = Path(settings.BASE_DIR)
# The modules that hand mail to Django's backend, and the tasks that call them. A task that sends
# mail must have "email" in its name (settings.CELERY_TASK_ROUTES sends it to the email queue).
MAIL_SENDERS = {
    "accounts/services.py": {
        "accounts.tasks.send_provider_status_email",
        "accounts.tasks.sweep_unsent_provider_status_emails",
    },
    "notifications/services.py": {
        "notifications.tasks.send_notification_email",
        "notifications.tasks.sweep_unsent_notification_emails",
    },
}
SENDS_MAIL = re.compile(r"^\s*(from django\.core\.mail |from django\.core import mail\b)", re.M)


def _project_tasks() -> dict[str, str]:
    """Every task of the project's apps: its name and the queue it is routed to."""
    app.loader.import_default_modules()
    return {
        name: app.amqp.router.route({}, name)["queue"].name
        for name in app.tasks
        if not name.startswith(("celery.", "marketplace.tests."))
    }


def test_a_task_goes_to_the_email_queue_when_its_name_says_email_and_to_default_otherwise():
    tasks = _project_tasks()
    assert len(tasks) > 20
    for name, queue in tasks.items():
        expected = "email" if "email" in name.rsplit(".", 1)[-1] else "default"
        assert queue == expected, f"{name} is routed to {queue!r}, not {expected!r}"
    assert {name for name, queue in tasks.items() if queue == "email"} >= set().union(
        *MAIL_SENDERS.values()
    )


def test_every_module_that_sends_mail_is_known_with_its_tasks():
    """A new module that sends mail fails here until its tasks are named "...email..." (so they
    run on the email queue) and listed above."""
    senders = set()
    for config in apps.get_app_configs():
        folder = Path(config.path)
        if not folder.is_relative_to(ROOT) or "site-packages" in folder.parts:
            continue  # Django's and other packages' (a virtual environment may be inside ROOT)
        for path in folder.rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/tests/" not in relative and SENDS_MAIL.search(path.read_text()):
                senders.add(relative)
    assert senders == set(MAIL_SENDERS)
    tasks = _project_tasks()
    for module, names in MAIL_SENDERS.items():
        for name in names:
            assert tasks.get(name) == "email", f"{name} (it sends mail through {module})"


def test_the_procfile_worker_consumes_every_queue():
    """`make run` starts one worker: it must take email and everything else."""
    line = next(
        line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("worker:")
    )
    words = shlex.split(line)
    queues = set(words[words.index("-Q") + 1].split(","))
    assert queues == {settings.CELERY_TASK_DEFAULT_QUEUE, "email"}
    assert queues == set(_project_tasks().values())
