"""The fraud rules that run on sign-ups (accounts and allauth signals)."""
