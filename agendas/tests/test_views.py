"""Screens: permissions, editor with htmx rows and conflicts, checklist, review, comparison, exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from agendas import services
from agendas.models import AgendaVersion, Endorsement, Status
from agendas.tests.factories import fill_complete
from portal.tests.factories import EcosystemFactory, UserFactory, board_user_for


@pytest.fixture
def eco(db):
    return EcosystemFactory(name="Brainport", slug="brainport")


@pytest.fixture
def board(eco):
    return board_user_for(eco)


@pytest.fixture
def staff(db):
    return UserFactory(staff=True)


@pytest.fixture
def agenda(eco, board):
    return services.agenda_create(ecosystem=eco, actor=board)


def draft(agenda) -> AgendaVersion:
    return agenda.versions.get(frozen=False)


def adopt(agenda, board, staff) -> AgendaVersion:
    services.agenda_transition(agenda=agenda, actor=board, target=Status.SUBMITTED)
    services.agenda_transition(agenda=agenda, actor=staff, target=Status.IN_REVIEW)
    version = agenda.versions.get(number=1)
    for n in range(1, 8):
        services.criterion_assess(version=version, actor=staff, criterion=n, score=3, feedback=f"Goed {n}")
    services.agenda_transition(agenda=agenda, actor=staff, target=Status.ADOPTED)
    return version


@pytest.mark.django_db
class TestPermissions:
    def test_anonymous_is_sent_to_login(self, client, agenda):
        response = client.get(reverse("agendas:detail", args=["brainport"]))
        assert response.status_code == 302 and "/inloggen/" in response["Location"]

    def test_other_board_cannot_see_draft(self, client, agenda):
        client.force_login(board_user_for(EcosystemFactory()))
        assert client.get(reverse("agendas:detail", args=["brainport"])).status_code == 403
        assert client.get(reverse("agendas:version", args=["brainport", 1])).status_code == 403
        assert client.get(reverse("agendas:edit", args=["brainport", 1])).status_code == 403
        assert client.post(
            reverse("agendas:part-add", args=["brainport", "goal"]), {"goal-title": "Kaping"}
        ).status_code == 403

    def test_other_board_sees_adopted_version_but_not_the_new_draft(self, client, agenda, board, staff):
        adopt(agenda, board, staff)
        client.force_login(board_user_for(EcosystemFactory()))
        assert client.get(reverse("agendas:version", args=["brainport", 1])).status_code == 200
        assert client.get(reverse("agendas:version", args=["brainport", 2])).status_code == 403
        body = client.get(reverse("agendas:detail", args=["brainport"])).content.decode()
        assert "/versies/2/" not in body

    def test_staff_reads_draft_but_cannot_edit(self, client, agenda, staff):
        client.force_login(staff)
        assert client.get(reverse("agendas:version", args=["brainport", 1])).status_code == 200
        assert client.get(reverse("agendas:edit", args=["brainport", 1])).status_code == 403

    def test_board_cannot_open_review_or_comparison(self, client, agenda, board):
        client.force_login(board)
        assert client.get(reverse("agendas:comparison")).status_code == 403

    def test_board_starts_agenda_from_index(self, client, eco, board):
        client.force_login(board)
        assert "De agenda starten" in client.get(reverse("agendas:index")).content.decode()
        response = client.post(reverse("agendas:create", args=["brainport"]))
        assert response.status_code == 302
        assert eco.agenda.versions.count() == 1


@pytest.mark.django_db
class TestEditor:
    def test_save_text(self, client, agenda, board):
        client.force_login(board)
        url = reverse("agendas:edit", args=["brainport", 1])
        assert client.get(url).status_code == 200
        response = client.post(url, {"vision": "Hightech voor iedereen", "dna_analysis": "", "lock_version": 0})
        assert response.status_code == 302
        assert draft(agenda).vision == "Hightech voor iedereen"

    def test_conflict_keeps_text_and_shows_message(self, client, agenda, board, eco):
        client.force_login(board)
        url = reverse("agendas:edit", args=["brainport", 1])
        services.version_update(version=draft(agenda), actor=board_user_for(eco), data={"vision": "Van collega"},
                                lock_version=0)
        response = client.post(url, {"vision": "Mijn eigen tekst", "dna_analysis": "", "lock_version": 0})
        assert response.status_code == 409
        body = response.content.decode()
        assert "Iemand anders heeft dit concept intussen opgeslagen" in body
        assert "Mijn eigen tekst" in body  # the user's text stays in the form
        assert "Van collega" in body  # and the stored text is shown
        assert draft(agenda).vision == "Van collega"
        # Saving again from the conflict form (which now carries lock 1) overwrites deliberately.
        response = client.post(url, {"vision": "Samengevoegd", "dna_analysis": "", "lock_version": 1})
        assert response.status_code == 302
        assert draft(agenda).vision == "Samengevoegd"

    def test_invalid_horizon_shows_field_error(self, client, agenda, board):
        client.force_login(board)
        response = client.post(reverse("agendas:edit", args=["brainport", 2]), {
            "horizon_start": "2040", "horizon_end": "2030", "last_revision": "", "lock_version": 0,
        })
        assert response.status_code == 200
        assert "portal-field--invalid" in response.content.decode()

    def test_htmx_add_and_remove_row(self, client, agenda, board):
        client.force_login(board)
        response = client.post(
            reverse("agendas:part-add", args=["brainport", "endorsement"]),
            {"endorsement-organisation": "TU/e", "endorsement-helix_role": "knowledge"}, HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        assert "TU/e" in response.content.decode()
        assert 'id="part-endorsement"' in response.content.decode()
        row = Endorsement.objects.get()
        response = client.post(
            reverse("agendas:part-remove", args=["brainport", "endorsement", row.pk]), HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert not Endorsement.objects.exists()

    def test_htmx_invalid_row_gives_field_errors(self, client, agenda, board):
        client.force_login(board)
        response = client.post(
            reverse("agendas:part-add", args=["brainport", "funding_line"]),
            {"funding_line-amount": "-5", "funding_line-source_level": "x"}, HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 422
        assert "portal-field--invalid" in response.content.decode()

    def test_unknown_kind_is_404(self, client, agenda, board):
        client.force_login(board)
        assert client.post(reverse("agendas:part-add", args=["brainport", "nope"])).status_code == 404


@pytest.mark.django_db
class TestChecklistAndWorkflowScreens:
    def test_checklist_shows_checks_and_submit(self, client, agenda, board):
        client.force_login(board)
        body = client.get(reverse("agendas:checklist", args=["brainport"])).content.decode()
        assert "agenda-status--missing" in body
        assert "Geen enkele partij heeft de agenda onderschreven." in body
        response = client.post(reverse("agendas:transition", args=["brainport"]), {"target": "submitted"})
        assert response.status_code == 302
        agenda.refresh_from_db()
        assert agenda.status == Status.SUBMITTED

    def test_refused_transition_shows_message(self, client, agenda, board):
        client.force_login(board)
        response = client.post(reverse("agendas:transition", args=["brainport"]), {"target": "adopted"}, follow=True)
        assert "rvo-alert--error" in response.content.decode()
        agenda.refresh_from_db()
        assert agenda.status == Status.DRAFT

    def test_review_scores_and_feedback_view(self, client, agenda, board, staff):
        fill_complete(draft(agenda))
        services.agenda_transition(agenda=agenda, actor=board, target=Status.SUBMITTED)
        client.force_login(staff)
        client.post(reverse("agendas:transition", args=["brainport"]), {"target": "in_review"})
        url = reverse("agendas:review", args=["brainport", 1])
        assert client.get(url).status_code == 200
        data = {f"score_{n}": "2" for n in range(1, 8)} | {f"feedback_{n}": f"Opmerking {n}" for n in range(1, 8)}
        assert client.post(url, data).status_code == 302
        client.post(reverse("agendas:transition", args=["brainport"]), {"target": "feedback", "note": "Bijna"})
        client.force_login(board)
        body = client.get(reverse("agendas:version", args=["brainport", 1])).content.decode()
        assert "Opmerking 3" in body and "Bijna" in body
        assert 'data-testid="score-7"' in body

    def test_board_does_not_see_scores_while_in_review(self, client, agenda, board, staff):
        services.agenda_transition(agenda=agenda, actor=board, target=Status.SUBMITTED)
        services.agenda_transition(agenda=agenda, actor=staff, target=Status.IN_REVIEW)
        services.criterion_assess(version=agenda.versions.get(number=1), actor=staff, criterion=1, score=1,
                                  feedback="Geheim concept")
        client.force_login(board)
        assert "Geheim concept" not in client.get(reverse("agendas:version", args=["brainport", 1])).content.decode()

    def test_diff_shows_changed_lines(self, client, agenda, board):
        services.version_update(version=draft(agenda), actor=board, data={"vision": "Oude visie"}, lock_version=0)
        services.agenda_transition(agenda=agenda, actor=board, target=Status.SUBMITTED)
        services.version_update(version=draft(agenda), actor=board, data={"vision": "Nieuwe visie"}, lock_version=0)
        client.force_login(board)
        body = client.get(reverse("agendas:diff", args=["brainport", 2])).content.decode()
        assert '<span class="del">\u2212 Oude visie</span>' in body
        assert '<span class="add">+ Nieuwe visie</span>' in body


@pytest.mark.django_db
class TestComparison:
    @pytest.fixture
    def many(self, staff):
        for i in range(6):
            eco = EcosystemFactory(name=f"=HYPERLINK(\"x\") {i}" if i == 0 else f"Eco {i}")
            board = board_user_for(eco)
            agenda = services.agenda_create(ecosystem=eco, actor=board)
            if i % 2:
                fill_complete(draft(agenda))
            services.agenda_transition(agenda=agenda, actor=board, target=Status.SUBMITTED)
        EcosystemFactory(name="Zonder agenda")

    def test_table_with_bounded_queries(self, client, staff, many, django_assert_max_num_queries):
        client.force_login(staff)
        with django_assert_max_num_queries(20):
            response = client.get(reverse("agendas:comparison") + "?sort=c1")
        assert response.status_code == 200
        body = response.content.decode()
        assert body.count("agenda-status--met") >= 3 * 7
        assert "Zonder agenda" in body
        # Sorted on criterion 1: complete agendas (met) come first.
        assert body.index("Eco 1") < body.index("Eco 2")

    def test_csv_and_excel_neutralise_formulas(self, client, staff, many):
        client.force_login(staff)
        response = client.get(reverse("agendas:comparison") + "?format=csv")
        rows = list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))
        assert rows[0][0] == "Ecosysteem"
        names = [r[0] for r in rows[1:]]
        assert "'=HYPERLINK(\"x\") 0" in names
        response = client.get(reverse("agendas:comparison") + "?format=xlsx")
        ws = load_workbook(io.BytesIO(response.content)).active
        values = [c.value for c in ws["A"]]
        assert "'=HYPERLINK(\"x\") 0" in values
        assert not any(isinstance(v, str) and v.startswith("=") for row in ws.iter_rows(values_only=True) for v in row)


@pytest.mark.django_db
def test_agenda_pages_in_english(client, agenda, board):
    client.force_login(board)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("agendas:checklist", args=["brainport"])).content.decode()
    assert "Check before submitting" in body
    assert "No party has endorsed the agenda." in body


@pytest.mark.django_db
def test_actions_step_lists_own_initiatives_in_bounded_queries(client, agenda, board, eco,
                                                                django_assert_max_num_queries):
    """The actions form's initiative list is rendered in one pass (thousands at national scale)."""
    from agendas.models import Action
    from initiatives.tests.factories import InitiativeFactory

    own = [InitiativeFactory(ecosystem=eco, title=f"Eigen {n:02d}") for n in range(25)]
    InitiativeFactory(ecosystem=eco, title="<b>Waterstof & co</b>")
    other = InitiativeFactory(title="Van een ander ecosysteem")
    client.force_login(board)
    url = reverse("agendas:edit", args=[eco.slug, 4])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    select = html[html.index('name="action-initiatives"'):]
    select = select[:select.index("</select>")]
    assert select.count("<option") == 26
    assert "Van een ander ecosysteem" not in select
    assert "&lt;b&gt;Waterstof &amp; co&lt;/b&gt;" in select  # escaped
    assert f'<option value="{own[0].pk}">Eigen 00</option>' in select
    assert select.index("Eigen 00") < select.index("Eigen 24")  # sorted by title
    # The field still validates against the ecosystem's own initiatives only.
    add = reverse("agendas:part-add", args=[eco.slug, "action"])
    row = {"action-title": "Campus", "action-scope": "generic"}
    response = client.post(add, {**row, "action-initiatives": [other.pk]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert not Action.objects.exists()
    response = client.post(add, {**row, "action-initiatives": [own[3].pk, own[4].pk]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert set(Action.objects.get().initiatives.all()) == {own[3], own[4]}


def test_fast_select_marks_selected_options_and_escapes():
    from portal.forms import FastSelect, FastSelectMultiple

    many = FastSelectMultiple(attrs={"size": 3}, choices=[(1, "Een"), (2, "<Twee>"), (3, "Drie")])
    html = many.render("x", [2, "3"], attrs={"id": "id_x", "aria-describedby": "id_x_help"})
    assert html.startswith('<select aria-describedby="id_x_help" id="id_x" name="x" size="3" multiple>')
    assert '<option value="1">Een</option>' in html
    assert '<option value="2" selected>&lt;Twee&gt;</option>' in html
    assert '<option value="3" selected>Drie</option>' in html
    one = FastSelect(choices=[("", "---------"), (1, "Een")])
    assert one.render("y", None) == '<select name="y"><option value="" selected>---------</option><option value="1">Een</option></select>'
    assert "multiple" not in one.render("y", 1)
