import pytest
from django.urls import reverse

from initiatives.tests.factories import InitiativeFactory
from portal.models import Activity, Organisation, Region
from portal.tests.factories import EcosystemFactory, UserFactory, board_user_for


@pytest.fixture
def eco(reference_data):
    return EcosystemFactory(name="Brainport Test", regions=[Region.objects.get(code="CR36")])


@pytest.mark.django_db
class TestHomePerRole:
    def test_public_home_is_dutch_by_default(self, client, eco):
        response = client.get(reverse("home"))
        assert response.status_code == 200
        assert 'lang="nl"' in response.content.decode()
        assert "Regionale innovatie in Nederland" in response.content.decode()

    def test_an_english_browser_still_gets_dutch_until_it_switches(self, client, eco):
        body = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
        assert "Regionale innovatie in Nederland" in body

    def test_english_is_available(self, client, eco):
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        response = client.get(reverse("home"))
        assert "Regional innovation in the Netherlands" in response.content.decode()

    def test_board_sees_its_ecosystem_and_initiatives(self, client, eco, django_assert_max_num_queries):
        board = board_user_for(eco)
        InitiativeFactory.create_batch(5, ecosystem=eco, title="Fotonica-lab")
        InitiativeFactory(title="Van een ander")
        client.force_login(board)
        with django_assert_max_num_queries(14):
            response = client.get(reverse("home"))
        body = response.content.decode()
        assert "Brainport Test" in body
        assert body.count("Fotonica-lab") == 5
        assert "Van een ander" not in body

    def test_rom_sees_its_provinces(self, client, reference_data):
        rom = UserFactory(role="rom", organisation=Organisation.objects.get(slug="oost-nl"))
        client.force_login(rom)
        body = client.get(reverse("home")).content.decode()
        assert "Overijssel" in body and "Gelderland" in body

    def test_staff_sees_national_counts(self, client, eco, django_assert_max_num_queries):
        InitiativeFactory.create_batch(3, ecosystem=eco)
        client.force_login(UserFactory(staff=True))
        with django_assert_max_num_queries(8):
            response = client.get(reverse("home"))
        assert "Programmateam" in response.content.decode()


@pytest.mark.django_db
class TestLogin:
    def test_login_and_bad_password(self, client, eco):
        user = UserFactory(username="anna")
        response = client.post(reverse("login"), {"username": "anna", "password": "fout"})
        assert response.status_code == 200
        assert "alert" in response.content.decode()
        response = client.post(reverse("login"), {"username": "anna", "password": "geheim-wachtwoord-123"})
        assert response.status_code == 302
        assert int(client.session["_auth_user_id"]) == user.pk


@pytest.mark.django_db
class TestEcosystemEdit:
    def test_board_edits_profile(self, client, eco):
        board = board_user_for(eco)
        client.force_login(board)
        url = reverse("ecosystem-edit", args=[eco.slug])
        assert client.get(url).status_code == 200
        response = client.post(url, {"profile": "Hightech en fotonica", "strengths": "Chips"})
        assert response.status_code == 302
        eco.refresh_from_db()
        assert eco.profile == "Hightech en fotonica"
        assert Activity.objects.filter(verb="ecosystem.updated", actor=board).exists()

    def test_other_board_gets_403_and_nothing_changes(self, client, eco):
        client.force_login(board_user_for(EcosystemFactory()))
        response = client.post(reverse("ecosystem-edit", args=[eco.slug]), {"profile": "X", "strengths": ""})
        assert response.status_code == 403
        eco.refresh_from_db()
        assert eco.profile != "X"

    def test_anonymous_is_sent_to_login(self, client, eco):
        response = client.get(reverse("ecosystem-edit", args=[eco.slug]))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_dutch_catalogues_are_complete():
    """Every Dutch catalogue (the portal's and each app's) translates every string."""
    import polib
    from django.conf import settings

    catalogues = sorted(settings.BASE_DIR.glob("locale/nl/LC_MESSAGES/django.po")) + sorted(
        settings.BASE_DIR.glob("*/locale/nl/LC_MESSAGES/django.po")
    )
    assert catalogues
    for path in catalogues:
        po = polib.pofile(str(path))
        untranslated = [e.msgid for e in po if e.msgid and not e.msgstr and not any(e.msgstr_plural.values()) and not e.obsolete]
        fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
        assert untranslated == [], path
        assert fuzzy == [], path
