"""Acting on overlap suggestions: the comparison page, the board's view and link proposals, the
network, the ROM's API list and the dashboard selector. Grants and denials per role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from initiatives import overlap_services as svc
from initiatives.models import Initiative, InitiativeLink, OverlapSuggestion
from initiatives.overlap_compare import compare, highlight
from initiatives.selectors import overlap_attention_items
from initiatives.tests.factories import InitiativeFactory
from initiatives.tests.test_overlap_services import EVAL_DOCS
from portal.models import Priority, Region, Theme
from portal.tests import api_support
from portal.tests.api_support import World
from portal.tests.factories import EcosystemFactory, RegionFactory, UserFactory, board_user_for

world = api_support.world
API = "/api/v1/overlaps/"


def _suggest(x: Initiative, y: Initiative, **kwargs: object) -> OverlapSuggestion:
    a, b = sorted([x, y], key=lambda i: i.pk)
    defaults = {"score": 0.7, "kind": OverlapSuggestion.Kind.OVERLAP, "reasons": ["Gedeelde concepten: waterstof"],
                "text_fingerprint_a": "x", "text_fingerprint_b": "y"}
    return OverlapSuggestion.objects.create(a=a, b=b, **{**defaults, **kwargs})


@pytest.fixture
def regions(db):
    north = RegionFactory(code="LD01", name="Noord-Nederland", kind=Region.Kind.LANDSDEEL)
    south = RegionFactory(code="LD04", name="Zuid-Nederland", kind=Region.Kind.LANDSDEEL)
    groningen = RegionFactory(code="PV20", name="Groningen", kind=Region.Kind.PROVINCE, parent=north)
    zeeland = RegionFactory(code="PV29", name="Zeeland", kind=Region.Kind.PROVINCE, parent=south)
    delfzijl = RegionFactory(code="CR02", name="Delfzijl en omgeving", kind=Region.Kind.COROP, parent=groningen)
    return {"north": north, "south": south, "groningen": groningen, "zeeland": zeeland, "delfzijl": delfzijl}


@pytest.fixture
def pair(regions):
    """North's published hydrogen plant (eval 1) and south's unpublished draft (eval 2), suggested."""
    north, south = EcosystemFactory(regions=[regions["groningen"]]), EcosystemFactory(regions=[regions["zeeland"]])
    d1, d2 = EVAL_DOCS[1], EVAL_DOCS[2]
    mine = InitiativeFactory(ecosystem=north, title=d1["name"], description=d1["description"])
    theirs = InitiativeFactory(
        ecosystem=south, title=d2["name"], description=d2["description"] + " Vertrouwelijk budgetplan.", draft=True,
    )
    return {"north": north, "south": south, "mine": mine, "theirs": theirs, "s": _suggest(mine, theirs)}


# --- highlighting --------------------------------------------------------------------------------


def test_highlight_marks_shared_concepts_and_terms_and_escapes_the_rest():
    html = highlight(
        'Groene <b onclick="x">waterstof</b> uit elektrolyse & "meer" <script>alert(1)</script>',
        concepts=set(), terms=set(),
    )
    assert "<b" not in html and "<script>" not in html
    assert "&lt;b onclick=&quot;x&quot;&gt;" in html and "&lt;script&gt;" in html and "&amp;" in html
    assert "<mark" not in html  # nothing shared, nothing marked

    result = compare(
        a_title="Fieldlab waterstof Eemshaven",
        a_description="Proeftuin voor groene waterstof met elektrolyse. <img src=x onerror=alert(1)>",
        b_title="Green hydrogen test site",
        b_description="A test site for electrolysis of green hydrogen in the port.",
    )
    assert "waterstof" in result.concepts
    # Dutch and English words of the same concept are both marked.
    assert '<mark class="overlap-mark overlap-mark--concept">waterstof</mark>' in result.a_description
    assert '<mark class="overlap-mark overlap-mark--concept">hydrogen</mark>' in result.b_description
    assert '<mark class="overlap-mark overlap-mark--concept">electrolysis</mark>' in result.b_description
    assert "<img" not in result.a_description and "&lt;img src=x onerror=alert(1)&gt;" in result.a_description
    # Words the two texts do not share stay unmarked.
    assert '<mark class="overlap-mark overlap-mark--concept">Fieldlab</mark>' not in result.a_title
    assert ">Eemshaven</mark>" not in result.a_title


def test_highlight_marks_shared_plain_terms():
    result = compare(a_title="Kustlab", a_description="Onderzoek naar zeegras bij Texel.",
                     b_title="Zeegras", b_description="Herstel van zeegras in de Waddenzee.")
    assert "zeegras" in [t.lower() for t in result.terms]
    assert '<mark class="overlap-mark overlap-mark--term">zeegras</mark>' in result.a_description
    assert "Texel" in result.a_description and ">Texel<" not in result.a_description


# --- comparison page ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_compare_page_for_staff_shows_both_sides_highlighted_and_the_actions(client, pair,
                                                                            django_assert_max_num_queries):
    Initiative.objects.filter(pk=pair["mine"].pk).update(description="Waterstof <script>alert('x')</script> in de haven.")
    client.force_login(UserFactory(staff=True))
    url = reverse("initiatives:overlap-compare", args=[pair["s"].pk])
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html and "<script>alert" not in html
    assert '<mark class="overlap-mark overlap-mark--concept">Waterstof</mark>' in html
    assert "Vertrouwelijk budgetplan" in html  # staff read everything
    assert "Gedeelde concepten: waterstof" in html
    assert f'action="{reverse("initiatives:overlap-action", args=[pair["s"].pk])}"' in html
    assert 'name="return_to" value="compare"' in html
    # The queue links each row to its comparison.
    assert url in client.get(reverse("initiatives:overlap-queue")).content.decode()


@pytest.mark.django_db
def test_action_from_the_comparison_returns_to_it(client, pair):
    client.force_login(UserFactory(staff=True))
    s = pair["s"]
    response = client.post(reverse("initiatives:overlap-action", args=[s.pk]),
                           {"action": "dismiss", "reason": "Andere schaal", "return_to": "compare"})
    assert response.status_code == 302 and response.url == reverse("initiatives:overlap-compare", args=[s.pk])
    s.refresh_from_db()
    assert s.status == OverlapSuggestion.Status.DISMISSED and s.dismiss_reason == "Andere schaal"


@pytest.mark.django_db
def test_compare_page_for_boards_hides_the_other_regions_unpublished_text_and_cannot_act(client, pair):
    url = reverse("initiatives:overlap-compare", args=[pair["s"].pk])
    client.force_login(board_user_for(pair["north"]))
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert pair["theirs"].title in html and "Zeeland" in html
    assert "Vertrouwelijk budgetplan" not in html  # unpublished text of the other region
    assert pair["mine"].description.split()[3] in html
    assert f'action="{reverse("initiatives:overlap-action", args=[pair["s"].pk])}"' not in html
    assert reverse("initiatives:overlap-link-propose") in html
    # Acting on the suggestion stays with staff.
    assert client.post(reverse("initiatives:overlap-action", args=[pair["s"].pk]),
                       {"action": "confirm"}).status_code == 403

    # A board of a third region sees nothing of this pair; anonymous users must log in.
    client.force_login(board_user_for(EcosystemFactory()))
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


# --- board view and link proposals ------------------------------------------------------------------


@pytest.mark.django_db
def test_board_view_lists_own_pairs_only_and_not_for_others(client, pair, django_assert_max_num_queries):
    other = _suggest(InitiativeFactory(title="Elders een"), InitiativeFactory(title="Elders twee"))
    url = reverse("initiatives:overlap-board")
    client.force_login(board_user_for(pair["north"]))
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="suggestion-{pair["s"].pk}"' in html and f'id="suggestion-{other.pk}"' not in html
    assert "Elders een" not in html
    assert "Vertrouwelijk budgetplan" not in html
    for user in (UserFactory(staff=True), UserFactory(rom=True), UserFactory(assessor=True)):
        client.force_login(user)
        assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_board_proposes_the_other_board_accepts_both_see_the_result(client, pair):
    north_board, south_board = board_user_for(pair["north"]), board_user_for(pair["south"])
    third_board = board_user_for(EcosystemFactory())
    client.force_login(north_board)
    response = client.post(reverse("initiatives:overlap-link-propose"), {
        "from_initiative": pair["mine"].pk, "to_initiative": pair["theirs"].pk, "kind": "complements",
    })
    assert response.status_code == 302
    link = InitiativeLink.objects.get()
    assert (link.from_initiative, link.to_initiative, link.status) == (pair["mine"], pair["theirs"], "proposed")
    # The proposer cannot answer its own proposal, nor can a third board.
    answer = reverse("initiatives:overlap-link-answer", args=[link.pk])
    assert client.post(answer, {"answer": "accept"}).status_code == 403
    client.force_login(third_board)
    assert client.post(answer, {"answer": "accept"}).status_code == 403
    link.refresh_from_db()
    assert link.status == InitiativeLink.Status.PROPOSED

    client.force_login(south_board)
    html = client.get(reverse("initiatives:overlap-board")).content.decode()
    assert f'id="proposal-{link.pk}"' in html
    assert client.post(answer, {"answer": "bogus"}).status_code == 302  # a message, not a 500
    assert client.post(answer, {"answer": "accept"}).status_code == 302
    link.refresh_from_db()
    assert link.status == InitiativeLink.Status.ACCEPTED
    html = client.get(reverse("initiatives:overlap-board")).content.decode()
    assert f'id="proposal-{link.pk}"' not in html and f'data-testid="link-status-{link.pk}"' in html

    client.force_login(north_board)
    html = client.get(reverse("initiatives:overlap-board")).content.decode()
    assert f'data-testid="link-status-{link.pk}"' in html
    assert client.post(answer, {"answer": "decline"}).status_code == 403


@pytest.mark.django_db
def test_board_cannot_propose_from_another_regions_initiative_or_to_an_invisible_one(client, pair):
    client.force_login(board_user_for(pair["south"]))
    hidden = InitiativeFactory(draft=True)  # a third region's draft, in no suggestion
    response = client.post(reverse("initiatives:overlap-link-propose"), {
        "from_initiative": pair["mine"].pk, "to_initiative": pair["theirs"].pk, "kind": "complements",
    })
    assert response.status_code == 400  # north's initiative is not south's to link from
    response = client.post(reverse("initiatives:overlap-link-propose"), {
        "from_initiative": pair["theirs"].pk, "to_initiative": hidden.pk, "kind": "complements",
    })
    assert response.status_code == 400
    assert "to_initiative_error" in response.content.decode()
    response = client.post(reverse("initiatives:overlap-link-propose"), {
        "from_initiative": pair["theirs"].pk, "to_initiative": "abc", "kind": "nonsense",
    })
    assert response.status_code == 400
    assert not InitiativeLink.objects.exists()
    # The other side of a suggestion is allowed even though it is north's.
    response = client.post(reverse("initiatives:overlap-link-propose"), {
        "from_initiative": pair["theirs"].pk, "to_initiative": pair["mine"].pk, "kind": "overlaps",
    })
    assert response.status_code == 302 and InitiativeLink.objects.get().status == "proposed"


# --- network ---------------------------------------------------------------------------------------


@pytest.fixture
def network(regions, pair):
    hydrogen = Theme.objects.create(code="waterstof", name_nl="Waterstof", name_en="Hydrogen")
    priority, _created = Priority.objects.get_or_create(
        code="TST-KT01", defaults={"kind": Priority.Kind.KEY_TECHNOLOGY, "name_nl": "Energie", "name_en": "Energy"},
    )
    mine, theirs = pair["mine"], pair["theirs"]
    Initiative.objects.filter(pk=mine.pk).update(theme=hydrogen)
    mine.priorities.add(priority)
    third = InitiativeFactory(title="Waterstofbussen Delfzijl", regions=[regions["delfzijl"]])
    lone_a, lone_b = InitiativeFactory(title="Eiwit A", regions=[]), InitiativeFactory(title="Eiwit B", regions=[])
    OverlapSuggestion.objects.filter(pk=pair["s"].pk).update(status=OverlapSuggestion.Status.CONFIRMED_OVERLAP)
    InitiativeLink.objects.create(from_initiative=third, to_initiative=mine, kind="complements")
    InitiativeLink.objects.create(from_initiative=lone_a, to_initiative=lone_b, kind="part_of")
    InitiativeLink.objects.create(from_initiative=lone_b, to_initiative=third, kind="overlaps", status="proposed")
    return {"mine": mine, "theirs": theirs, "third": third, "lone_a": lone_a, "lone_b": lone_b,
            "theme": hydrogen, "priority": priority}


@pytest.mark.django_db
def test_network_data_nodes_edges_colours_and_clusters(client, network, django_assert_max_num_queries):
    client.force_login(UserFactory(staff=True))
    # Session, user, the filter's theme and priority choices, then five whatever the size.
    with django_assert_max_num_queries(9):
        data = client.get(reverse("initiatives:overlap-network-data")).json()
    nodes = {n["id"]: n for n in data["nodes"]}
    assert set(nodes) == {network[k].pk for k in ("mine", "theirs", "third", "lone_a", "lone_b")}
    assert nodes[network["mine"].pk]["colour"] == "#0072B2"  # Noord
    assert nodes[network["third"].pk]["province"] == "Groningen"  # via its COROP region
    assert nodes[network["theirs"].pk]["landsdeel"] == "Zuid-Nederland"
    assert nodes[network["lone_a"].pk]["colour"] == "#767676"  # no region
    kinds = sorted(e["kind"] for e in data["edges"])
    assert kinds == ["complements", "confirmed_overlap", "part_of"]  # the proposed link is not (yet) an edge
    assert nodes[network["mine"].pk]["url"] == reverse("initiatives:detail", args=[network["mine"].pk])

    response = client.get(reverse("initiatives:overlap-network"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>" not in html.replace("<script src=", "")  # no inline scripts
    assert "vendor/cytoscape/cytoscape.min.js" in html and "js/overlap_network.js" in html
    clusters = response.context["network"].clusters
    assert [len(c.initiatives) for c in clusters] == [3, 2]
    assert clusters[0].provinces == ["Groningen", "Zeeland"]
    assert clusters[0].landsdelen == ["Noord-Nederland", "Zuid-Nederland"]
    assert "Waterstofbussen Delfzijl" in html


@pytest.mark.django_db
def test_network_filters_by_theme_and_priority(client, network):
    client.force_login(UserFactory(assessor=True))
    url = reverse("initiatives:overlap-network-data")
    ids = {n["id"] for n in client.get(url, {"theme": "waterstof"}).json()["nodes"]}
    assert ids == {network["mine"].pk, network["theirs"].pk, network["third"].pk}
    ids = {n["id"] for n in client.get(url, {"priority": network["priority"].code}).json()["nodes"]}
    assert ids == {network["mine"].pk, network["theirs"].pk, network["third"].pk}
    page = client.get(reverse("initiatives:overlap-network"), {"theme": "waterstof"})
    assert "theme=waterstof" in page.context["data_url"]
    assert [len(c.initiatives) for c in page.context["network"].clusters] == [3]
    # An unknown filter value is a form error, not a 500, and shows everything.
    assert client.get(reverse("initiatives:overlap-network"), {"theme": "<x>"}).status_code == 200
    assert len(client.get(url, {"theme": "nope"}).json()["nodes"]) == 5


@pytest.mark.django_db
def test_network_is_for_the_programme_team(client, network):
    for user in (board_user_for(EcosystemFactory()), UserFactory(rom=True)):
        client.force_login(user)
        assert client.get(reverse("initiatives:overlap-network")).status_code == 403
        assert client.get(reverse("initiatives:overlap-network-data")).status_code == 403


# --- API for ROMs -----------------------------------------------------------------------------------


@pytest.fixture
def api_pairs(world: World):
    p1_a = InitiativeFactory(ecosystem=world.ecosystem, title="P1 waterstof", draft=True)
    p1_b = InitiativeFactory(ecosystem=world.ecosystem, title="P1 elektrolyse")
    p2_a = InitiativeFactory(ecosystem=world.other_ecosystem, title="P2 waterstof", draft=True)
    p2_b = InitiativeFactory(ecosystem=world.other_ecosystem, title="P2 bussen")
    return {
        "inside": _suggest(p1_a, p1_b, score=0.9),
        "across": _suggest(p1_a, p2_a, score=0.8, kind=OverlapSuggestion.Kind.COMPLEMENTARY),
        "outside": _suggest(p2_a, p2_b, score=0.7),
    }


@pytest.mark.django_db
def test_api_rom_sees_only_pairs_involving_its_provinces(world, api_pairs, django_assert_max_num_queries):
    for eval_id in range(3, 8):  # more rows must not mean more queries
        _suggest(InitiativeFactory(ecosystem=world.ecosystem), InitiativeFactory(ecosystem=world.ecosystem),
                 score=0.5 + eval_id / 100)
    client = world.client("rom")
    with django_assert_max_num_queries(8):
        response = client.get(API)
    assert response.status_code == 200
    rows = response.json()["results"]
    ids = [r["id"] for r in rows]
    assert api_pairs["outside"].pk not in ids
    assert {api_pairs["inside"].pk, api_pairs["across"].pk} <= set(ids)
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    across = next(r for r in rows if r["id"] == api_pairs["across"].pk)
    assert set(across["b"]) == {"id", "title", "regions"} and across["b"]["regions"] == ["TP02"]
    assert "description" not in response.content.decode()

    other = [r["id"] for r in world.client("rom_other").get(API).json()["results"]]
    assert api_pairs["inside"].pk not in other and {api_pairs["across"].pk, api_pairs["outside"].pk} <= set(other)
    staff = [r["id"] for r in world.client("staff").get(API, {"page_size": 500}).json()["results"]]
    assert set(staff) >= {p.pk for p in api_pairs.values()}


@pytest.mark.django_db
def test_api_filters_paginates_and_rejects_bad_input(world, api_pairs):
    client = world.client("rom")
    rows = client.get(API, {"status": "pending", "page_size": 1}).json()
    assert len(rows["results"]) == 1 and rows["next"]
    second = client.get(rows["next"]).json()
    assert second["results"][0]["id"] != rows["results"][0]["id"]
    OverlapSuggestion.objects.filter(pk=api_pairs["inside"].pk).update(status="dismissed")
    assert [r["id"] for r in client.get(API, {"status": "dismissed"}).json()["results"]] == [api_pairs["inside"].pk]
    bad = client.get(API, {"status": "nope"})
    assert bad.status_code == 400 and "status" in bad.json()["extra"]["fields"]
    assert client.get(API, {"ordering": "title"}).status_code == 400
    assert api_support.client_for(None).get(API).status_code == 401


# --- dashboard selector -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_overlap_attention_items_counts_what_the_user_may_see(pair, django_assert_max_num_queries):
    other = _suggest(InitiativeFactory(), InitiativeFactory(), kind=OverlapSuggestion.Kind.COMPLEMENTARY, score=0.9)
    _suggest(InitiativeFactory(), InitiativeFactory(), status=OverlapSuggestion.Status.DISMISSED)
    staff = UserFactory(staff=True)
    with django_assert_max_num_queries(2):
        result = overlap_attention_items(user=staff)
    assert (result.pending, result.overlap, result.complementary) == (2, 1, 1)
    assert [s.pk for s in result.top] == [other.pk, pair["s"].pk]
    assert result.url == reverse("initiatives:overlap-queue")
    item = result.as_items()[0]
    assert item.count == 2 and item.url == result.url

    board = overlap_attention_items(user=board_user_for(pair["north"]))
    assert (board.pending, [s.pk for s in board.top]) == (1, [pair["s"].pk])
    assert board.url == reverse("initiatives:overlap-board")
    assert overlap_attention_items(user=board_user_for(EcosystemFactory())).as_items() == []

    svc.initiative_merge(actor=staff, survivor=pair["mine"], merged=pair["theirs"], suggestion=pair["s"])
    assert overlap_attention_items(user=staff).pending == 1


# --- navigation ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_nav_links_for_staff_and_boards_only(client, pair):
    client.force_login(UserFactory(staff=True))
    assert f'href="{reverse("initiatives:overlap-queue")}"' in client.get(reverse("initiatives:list")).content.decode()
    client.force_login(board_user_for(pair["north"]))
    html = client.get(reverse("initiatives:list")).content.decode()
    assert f'href="{reverse("initiatives:overlap-board")}"' in html
    client.force_login(UserFactory(rom=True))
    html = client.get(reverse("initiatives:list")).content.decode()
    assert 'href="/overlap/' not in html
