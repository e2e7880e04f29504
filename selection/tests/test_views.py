"""Selection screens: the happy paths, the denials, exports and the what-if panel."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from initiatives.tests.factories import InitiativeFactory
from portal.tests.factories import EcosystemFactory, UserFactory, board_user_for
from selection import services
from selection.models import Assessment, Criterion, Decision, SelectionRound
from selection.tests.conftest import full_answers
from selection.tests.factories import DecisionFactory, awti_version

pytestmark = pytest.mark.django_db


def _scored(setup_round, django_capture_on_commit_callbacks):
    round_, initiatives, (a1, a2), staff = setup_round
    for value, initiative in zip((5, 3, 1), initiatives, strict=True):
        services.assessment_save(selection_round=round_, initiative=initiative, actor=a1, answers=full_answers(round_, value), submit=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_start(selection_round=round_, actor=staff)
    return round_, initiatives, (a1, a2), staff


def test_staff_creates_a_round_and_bad_input_shows_field_errors(client, staff):
    client.force_login(staff)
    response = client.post(reverse("selection:round-create"), {"name": "", "framework_version": "999", "shortlist_size": "x"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"name", "framework_version", "shortlist_size"}
    response = client.post(reverse("selection:round-create"), {
        "name": "Ronde 2026", "framework_version": awti_version().pk, "stages": ["pilot"], "disagreement_threshold": "2",
        "shortlist_size": "5",
    })
    round_ = SelectionRound.objects.get(name="Ronde 2026")
    assert response.status_code == 302 and round_.scope["stages"] == ["pilot"]
    assert client.get(reverse("selection:round-detail", args=[round_.pk])).status_code == 200


def test_assessor_cannot_manage_rank_or_decide(client, setup_round):
    round_, initiatives, (a1, _a2), _staff = setup_round
    client.force_login(a1)
    for name, args in [
        ("selection:round-create", []), ("selection:round-detail", [round_.pk]), ("selection:ranking", [round_.pk]),
        ("selection:ranking-export", [round_.pk, "csv"]), ("selection:decide", [round_.pk, initiatives[0].pk]),
        ("selection:round-progress", [round_.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert client.post(reverse("selection:round-score", args=[round_.pk])).status_code == 403
    assert client.post(reverse("selection:decide", args=[round_.pk, initiatives[0].pk]), {"outcome": "stop", "rationale": "x"}).status_code == 403
    assert not Decision.objects.exists()


def test_assessor_sees_only_assigned_initiatives_in_open_rounds(client, setup_round):
    round_, initiatives, (a1, _a2), _staff = setup_round
    other = InitiativeFactory()
    outsider = UserFactory(assessor=True)
    client.force_login(outsider)
    assert client.get(reverse("selection:worklist", args=[round_.pk])).status_code == 403
    assert client.get(reverse("selection:assess", args=[round_.pk, initiatives[0].pk])).status_code == 403
    client.force_login(a1)
    response = client.get(reverse("selection:worklist", args=[round_.pk]))
    assert response.status_code == 200
    titles = {r.assignment.initiative.title for r in response.context["rows"]}
    assert initiatives[0].title in titles
    assert client.get(reverse("selection:assess", args=[round_.pk, other.pk])).status_code == 403
    round_.status = SelectionRound.Status.CLOSED
    round_.save()
    assert client.get(reverse("selection:worklist", args=[round_.pk])).status_code == 403
    assert client.get(reverse("selection:assess", args=[round_.pk, initiatives[0].pk])).status_code == 403


def test_board_and_public_are_denied_the_selection_screens(client, setup_round):
    round_, initiatives, _a, _staff = setup_round
    board = board_user_for(initiatives[0].ecosystem)
    for user in (board, None):
        client.logout()
        if user:
            client.force_login(user)
        for name, args in [("selection:rounds", []), ("selection:worklist", [round_.pk]), ("selection:ranking", [round_.pk])]:
            response = client.get(reverse(name, args=args))
            assert response.status_code in (302, 403), name


def test_assessor_saves_a_draft_sees_suggestions_and_submits(client, setup_round):
    round_, initiatives, (a1, _a2), _staff = setup_round
    client.force_login(a1)
    url = reverse("selection:assess", args=[round_.pk, initiatives[0].pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "nationale-prioriteiten" in response.context["suggestions"]
    assert response.context["suggestions"]["nationale-prioriteiten"]["text"]
    criteria = list(Criterion.objects.filter(version=round_.framework_version))
    data = {f"c{c.pk}-value": "4" for c in criteria[:3]}
    data["save"] = "1"
    assert client.post(url, data).status_code == 302
    assert Assessment.objects.get().status == "draft"
    data = {f"c{c.pk}-value": "4" for c in criteria[:3]} | {"submit": "1"}
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["form"].errors  # incomplete: field errors, no 500
    data = {f"c{c.pk}-value": "4" for c in criteria} | {f"c{criteria[0].pk}-value": "99", "submit": "1"}
    assert client.post(url, data).status_code == 200
    data = {f"c{c.pk}-value": "4" for c in criteria} | {"submit": "1"}
    assert client.post(url, data).status_code == 302
    assert Assessment.objects.get().status == "submitted"


def test_conflict_declaration_screen(client, setup_round):
    round_, initiatives, (a1, _a2), _staff = setup_round
    client.force_login(a1)
    url = reverse("selection:conflict", args=[round_.pk, initiatives[0].pk])
    assert client.post(url, {"statement": ""}).status_code == 200
    assert client.post(url, {"statement": "Ik zit in het bestuur."}).status_code == 302
    assert client.get(reverse("selection:assess", args=[round_.pk, initiatives[0].pk])).status_code == 302


def test_ranking_what_if_export_and_decide(client, setup_round, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    round_, initiatives, _assessors, staff = _scored(setup_round, django_capture_on_commit_callbacks)
    round_.shortlist_size = 1
    round_.save()
    client.force_login(staff)
    url = reverse("selection:ranking", args=[round_.pk])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    rows = response.context["ranking"].rows
    assert [r.result.initiative for r in rows] == initiatives
    assert rows[0].shortlisted and not rows[1].shortlisted
    # What-if: only criterion weights matter; a zero-weight everywhere but one keeps the order.
    weights = {f"w_{c.code}": "1" for c in response.context["ranking"].criteria}
    weights["w_toekomstbeeld"] = "5"
    response = client.get(url, weights, HTTP_HX_REQUEST="true")
    assert response.templates[0].name == "selection/_ranking_table.html"
    assert response.context["ranking"].what_if is True

    response = client.get(reverse("selection:ranking-export", args=[round_.pk, "csv"]))
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(lines) == 4 and lines[1][1] == initiatives[0].title
    response = client.get(reverse("selection:ranking-export", args=[round_.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 4

    decide = reverse("selection:decide", args=[round_.pk, initiatives[0].pk])
    assert client.post(decide, {"outcome": "select_for_national_push", "rationale": ""}).status_code == 200
    assert client.post(decide, {"outcome": "select_for_national_push", "rationale": "Nationaal relevant."}).status_code == 302
    assert Decision.objects.get().initiative == initiatives[0]


def test_export_neutralises_formulas(client, setup_round, django_capture_on_commit_callbacks):
    round_, initiatives, _a, staff = setup_round
    initiatives[0].title = "=HYPERLINK(\"http://evil\")"
    initiatives[0].save()
    _scored(setup_round, django_capture_on_commit_callbacks)
    client.force_login(staff)
    body = client.get(reverse("selection:ranking-export", args=[round_.pk, "csv"])).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body
    sheet = load_workbook(io.BytesIO(client.get(reverse("selection:ranking-export", args=[round_.pk, "xlsx"])).content)).active
    assert any(str(c.value).startswith("'=") for c in sheet["B"])


def test_what_if_changes_the_shortlist(client, setup_round, django_capture_on_commit_callbacks):
    round_, initiatives, (a1, _a2), staff = setup_round
    criteria = list(Criterion.objects.filter(version=round_.framework_version).order_by("position"))
    # Initiative 0 is strong on criterion 1 only, initiative 1 is good on the rest.
    a = {c.pk: services.ScoreInput(value=5 if i == 0 else 1) for i, c in enumerate(criteria)}
    b = {c.pk: services.ScoreInput(value=1 if i == 0 else 3) for i, c in enumerate(criteria)}
    services.assessment_save(selection_round=round_, initiative=initiatives[0], actor=a1, answers=a, submit=True)
    services.assessment_save(selection_round=round_, initiative=initiatives[1], actor=a1, answers=b, submit=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_start(selection_round=round_, actor=staff)
    round_.shortlist_size = 1
    round_.save()
    client.force_login(staff)
    url = reverse("selection:ranking", args=[round_.pk])
    assert client.get(url).context["ranking"].rows[0].result.initiative == initiatives[1]
    weights = {f"w_{c.code}": "0" for c in criteria} | {f"w_{criteria[0].code}": "1"}
    ranking = client.get(url, weights).context["ranking"]
    assert ranking.rows[0].result.initiative == initiatives[0]
    assert [r.result.initiative for r in ranking.entered] == [initiatives[0]]
    assert [r.result.initiative for r in ranking.left] == [initiatives[1]]
    assert client.get(url, {"w_toekomstbeeld": "-3"}).status_code == 200  # invalid weight: no 500


def test_board_sees_decisions_about_own_initiatives_only_and_no_scores(client, db):
    own_eco, other_eco = EcosystemFactory(), EcosystemFactory()
    own, other = InitiativeFactory(ecosystem=own_eco), InitiativeFactory(ecosystem=other_eco)
    DecisionFactory(initiative=own, rationale="Past bij de missie.")
    DecisionFactory(initiative=other, rationale="Geheime afweging.")
    client.force_login(board_user_for(own_eco))
    response = client.get(reverse("selection:board-decisions"))
    body = response.content.decode()
    assert "Past bij de missie." in body and "Geheime afweging." not in body
    assert client.get(reverse("selection:ranking", args=[Decision.objects.first().round_id])).status_code == 403
    client.force_login(UserFactory(assessor=True))
    assert client.get(reverse("selection:board-decisions")).status_code == 403


def test_progress_fragment_polls_while_running(client, setup_round):
    round_, _i, _a, staff = setup_round
    from selection.models import ScoringRun

    ScoringRun.objects.create(round=round_, chunk_count=4, chunks_done=1)
    client.force_login(staff)
    body = client.get(reverse("selection:round-progress", args=[round_.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in body and 'value="25"' in body
