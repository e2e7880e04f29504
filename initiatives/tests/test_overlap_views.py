"""The staff queue of overlap suggestions: staff only, few queries, actions through POST forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from initiatives import overlap_services as svc
from initiatives.models import Initiative, OverlapSuggestion
from initiatives.tests.test_overlap_services import _make, _pair
from portal.tests.factories import EcosystemFactory, UserFactory, board_user_for

QUEUE = reverse("initiatives:overlap-queue")


@pytest.fixture
def pending(db):
    eco_a, eco_b = EcosystemFactory(), EcosystemFactory()
    a, b = _make(1, eco_a), _make(2, eco_b)
    svc.overlap_check_initiative(initiative_id=a.pk)
    return eco_a, a, b, _pair(a, b)


@pytest.mark.django_db
def test_queue_is_for_staff_only(client, pending):
    assert client.get(QUEUE).status_code == 302  # to the login page
    client.force_login(board_user_for(pending[0]))
    assert client.get(QUEUE).status_code == 403
    assert client.post(reverse("initiatives:overlap-action", args=[pending[3].pk]),
                       {"action": "confirm"}).status_code == 403
    client.force_login(UserFactory(assessor=True))
    assert client.get(QUEUE).status_code == 403


@pytest.mark.django_db
def test_queue_lists_pending_pairs_with_reasons_in_few_queries(client, pending, django_assert_max_num_queries):
    for eval_id in (4, 5, 6, 7):
        svc.overlap_check_initiative(initiative_id=_make(eval_id).pk)
    assert OverlapSuggestion.objects.count() >= 3
    client.force_login(UserFactory(staff=True))
    with django_assert_max_num_queries(12):
        response = client.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    _eco, a, b, pair = pending
    assert a.title in html and b.title in html and pair.reasons[0] in html


@pytest.mark.django_db
def test_dismiss_without_reason_is_refused_then_merge_through_the_page(client, pending):
    _eco, a, b, pair = pending
    client.force_login(UserFactory(staff=True))
    url = reverse("initiatives:overlap-action", args=[pair.pk])
    response = client.post(url, {"action": "dismiss", "reason": " "}, follow=True)
    assert response.status_code == 200
    pair.refresh_from_db()
    assert pair.status == OverlapSuggestion.Status.PENDING
    assert client.post(url, {"action": "bogus"}).status_code == 302  # a message, not a 500

    response = client.post(url, {"action": "merge", "survivor": "b"}, follow=True)
    assert response.status_code == 200
    a.refresh_from_db()
    assert a.status == Initiative.Status.MERGED and a.merged_into_id == b.pk
    pair.refresh_from_db()
    assert pair.status == OverlapSuggestion.Status.MERGED
