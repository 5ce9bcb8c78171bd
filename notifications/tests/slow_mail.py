"""A mail backend for tests that kill a worker in the middle of a send: a slow mail server.

Selected with EMAIL_BACKEND=notifications.tests.slow_mail.EmailBackend and EMAIL_URL=filemail:
each message first leaves a note in `<EMAIL_FILE_PATH>/sending/` (who it is to, which process
sends it), then takes SLOW_MAIL_SECONDS (a mail server's conversation), waits while a file named
after its recipient is in `<EMAIL_FILE_PATH>/hold/` (a server that stalls on that message: the
test kills the worker then), and only then is handed over: written whole to
`<EMAIL_FILE_PATH>/sent/`, `<recipient> <pid> <random>.eml`. A process killed before that has
sent nothing.
"""

import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def __init__(self, *, file_path: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.directory = Path(file_path or settings.EMAIL_FILE_PATH)
        self.seconds = float(os.environ.get("SLOW_MAIL_SECONDS", "0.1"))

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            recipient = message.to[0]
            name = f"{recipient} {os.getpid()} {uuid.uuid4().hex}"
            (self.directory / "sending" / name).write_text(str(os.getpid()))
            time.sleep(self.seconds)
            while (self.directory / "hold" / recipient).exists():
                time.sleep(0.02)
            draft = self.directory / "sent" / f".{name}"
            draft.write_bytes(message.message().as_bytes())
            draft.rename(self.directory / "sent" / f"{name}.eml")  # whole, or not at all
        return len(email_messages)
