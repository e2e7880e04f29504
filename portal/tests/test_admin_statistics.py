"""Regression: the admin's "add ecosystem statistics" saved an empty row and crashed (500)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import EcosystemStatistics
from portal.tests.factories import UserFactory


@pytest.mark.django_db
def test_ecosystem_statistics_cannot_be_added_or_changed_in_the_admin() -> None:
    client = Client()
    client.force_login(UserFactory(admin=True))
    response = client.post(reverse("admin:portal_ecosystemstatistics_add"), {})
    assert response.status_code == 403
    assert not EcosystemStatistics.objects.exists()
    assert client.get(reverse("admin:portal_ecosystemstatistics_changelist")).status_code == 200
