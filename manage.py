#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    # A command runs on one thread and needs one connection: a pool would open
    # DATABASE_POOL_MIN_SIZE of them, and threads, for nothing. runserver serves ASGI (daphne),
    # a thread per request, so it pools like the web processes. DATABASE_POOL set wins.
    os.environ.setdefault("DATABASE_POOL", "1" if sys.argv[1:2] == ["runserver"] else "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
