"""The password hasher new hashes are made with (settings.PASSWORD_HASHERS, first)."""

from django.contrib.auth import hashers


class Argon2PasswordHasher(hashers.Argon2PasswordHasher):
    """Django's Argon2id hasher at OWASP's recommended minimum: 19 MiB, 2 passes, 1 lane.

    Measured on a 2-core machine like ours: ~40 ms of one core a hash, where Django's defaults
    (100 MiB, 2 passes, 8 lanes) take ~0.3 s of CPU and 100 MiB of memory for every sign-in
    attempt, and PBKDF2 at Django's work factor ~0.45 s. The parameters are stored in each hash:
    changing them here rehashes a password at its owner's next sign-in.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
