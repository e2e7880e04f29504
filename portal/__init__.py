"""The project package and the core app: organisations, users, regions, ecosystems, national frame."""

from portal.celery import app as celery_app

__all__ = ["celery_app"]
