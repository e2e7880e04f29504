import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Service and check messages are asserted in the source language; requests pick their own."""
    with translation.override("en"):
        yield
