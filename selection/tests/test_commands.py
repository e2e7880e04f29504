"""The idempotent seed commands."""

import pytest
from django.core.management import CommandError, call_command

from initiatives.tests.factories import InitiativeFactory
from portal.models import Theme
from portal.tests.factories import UserFactory
from selection.models import Assessment, Criterion, Framework, InitiativeRoundResult, SelectionRound


@pytest.mark.django_db
def test_seed_framework_is_idempotent():
    call_command("seed_framework", verbosity=0)
    call_command("seed_framework", verbosity=0)
    assert Framework.objects.count() == 1
    assert Criterion.objects.count() == 9


@pytest.mark.django_db
def test_seed_selection_demo_needs_the_demo_logins_and_is_idempotent(reference_data, django_capture_on_commit_callbacks):
    with pytest.raises(CommandError):
        call_command("seed_selection_demo", verbosity=0)
    UserFactory(username="programmateam", staff=True)
    UserFactory(username="beoordelaar", assessor=True)
    InitiativeFactory.create_batch(3, theme=Theme.objects.get(code="hydrogen"), stage="pilot")
    InitiativeFactory(theme=Theme.objects.get(code="photonics"), stage="pilot")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_selection_demo", verbosity=0)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_selection_demo", verbosity=0)
    assert SelectionRound.objects.count() == 1
    assert Assessment.objects.filter(status="submitted").count() == 3
    assert InitiativeRoundResult.objects.count() == 3
