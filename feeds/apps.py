from django.apps import AppConfig


class FeedsConfig(AppConfig):
    """Turns selections of timeline events into RSS 2.0 and Atom 1.0 (next issue). No models."""

    name = "feeds"
