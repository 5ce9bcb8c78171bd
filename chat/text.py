"""Text people send, made safe to store and search."""

import unicodedata


def text_clean(text: str | None) -> str:
    """`text` with line ends made \\n and control characters other than newlines and tabs
    dropped (PostgreSQL refuses NUL in text; the others only hide things), trimmed."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(char for char in text if char in "\n\t" or unicodedata.category(char) != "Cc")
    return kept.strip()


def search_clean(text: str | None, *, max_length: int = 100) -> str:
    """A search box's words: cleaned, spaces collapsed, at most `max_length` characters."""
    return " ".join(text_clean(text).split())[:max_length]
