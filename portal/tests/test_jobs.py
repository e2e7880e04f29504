"""The generic long-job progress partial."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal import permissions
from portal.jobs import JobProgress, register_job_kind
from portal.tests.factories import UserFactory

STATE = {"done": 3}


def _loader(user, pk):
    if not permissions.is_programme_team(user):
        raise PermissionDenied
    done = STATE["done"]
    return JobProgress(label="Testrun", status="done" if done >= 10 else "running", done=done, total=10,
                       result_url="/resultaat/" if done >= 10 else "")


register_job_kind("testrun", _loader)


@pytest.mark.django_db
class TestJobProgress:
    def test_polls_while_running_and_stops_when_done(self, client):
        client.force_login(UserFactory(staff=True))
        url = reverse("job-progress", args=["testrun", 7])
        STATE["done"] = 3
        body = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        assert 'hx-trigger="every 2s"' in body and "30%" in body
        STATE["done"] = 10
        body = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        assert "hx-trigger" not in body and "100%" in body and "/resultaat/" in body

    def test_permissions_and_unknown_kinds(self, client):
        url = reverse("job-progress", args=["testrun", 7])
        assert client.get(url).status_code == 302  # login first
        client.force_login(UserFactory())
        assert client.get(url).status_code == 403
        assert client.get(reverse("job-progress", args=["onbekend", 1])).status_code == 404
