"""Login lockout (django-axes), password rules, CSRF on unsafe methods, TOTP second factor."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from agendas.tests.factories import draft_agenda
from portal.tests.factories import EcosystemFactory, UserFactory, board_user_for

pytestmark = pytest.mark.django_db

PASSWORD = "geheim-wachtwoord-123"  # UserFactory's password
LOGIN = reverse("login")


def post_login(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


# --- Lockout -------------------------------------------------------------------------------


def test_five_failures_lock_the_username_for_that_address_even_with_the_right_password(client):
    user = UserFactory(staff=True)
    for attempt in range(1, 5):
        response = post_login(client, user.username, f"fout-{attempt}")
        assert response.status_code == 200, attempt  # the form again, with its error
    response = post_login(client, user.username, "fout-5")
    assert response.status_code == 429
    assert "Te veel inlogpogingen" in response.content.decode()
    assert "15 minuten" in response.content.decode()
    # Locked: the right password does not help, and the user is not logged in.
    response = post_login(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not locked out for this username (username+IP lockout).
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert post_login(other, user.username, PASSWORD).status_code == 302
    # The operator's unlock command lifts it.
    call_command("axes_reset_username", user.username, verbosity=0)
    assert post_login(client, user.username, PASSWORD).status_code == 302


def test_lockout_page_in_english(client):
    user = UserFactory()
    client.cookies["django_language"] = "en"
    for _n in range(5):
        response = post_login(client, user.username, "wrong-password")
    assert response.status_code == 429
    assert "Too many login attempts" in response.content.decode()


def test_a_successful_login_resets_the_count(client):
    user = UserFactory()
    for _n in range(4):
        assert post_login(client, user.username, "wrong").status_code == 200
    assert post_login(client, user.username, PASSWORD).status_code == 302
    client.logout()
    for _n in range(4):
        assert post_login(client, user.username, "wrong").status_code == 200  # would be locked without the reset
    assert post_login(client, user.username, PASSWORD).status_code == 302


def test_behind_a_proxy_the_lockout_uses_the_address_the_proxy_saw(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    for n in range(5):
        # The attacker varies the (forgeable) left part; the proxy appends the real address.
        response = post_login(client, user.username, "wrong", HTTP_X_FORWARDED_FOR=f"1.1.1.{n}, 203.0.113.9")
    assert response.status_code == 429
    # A colleague behind the same proxy from another address can still log in.
    assert post_login(Client(), user.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302


def test_without_trusted_proxies_x_forwarded_for_is_ignored(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    user = UserFactory()
    for n in range(5):
        response = post_login(client, user.username, "wrong", HTTP_X_FORWARDED_FOR=f"1.1.1.{n}")
    assert response.status_code == 429


def test_api_token_auth_is_not_counted_as_a_login(client):
    """Bearer tokens bypass authenticate(): a bad token is a 401 and never locks anyone out."""
    for _n in range(7):
        response = client.get("/api/v1/initiatives/", HTTP_AUTHORIZATION="Bearer nonsense")
        assert response.status_code == 401


def test_password_rules_need_twelve_characters_and_no_common_password():
    with pytest.raises(ValidationError):
        validate_password("Kort-wacht1")  # 11 characters
    with pytest.raises(ValidationError):
        validate_password("123456789012")  # numeric and common
    validate_password("lange-zin-met-woorden")


# --- CSRF --------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def page_token(client: Client, url: str) -> str:
    """The token as the page hands it to htmx (hx-headers on <body>)."""
    html = client.get(url).content.decode()
    match = re.search(r"""hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", html)
    assert match, "base.html must give htmx the CSRF token"
    return match.group(1)


def test_login_and_forms_refuse_a_post_without_token(csrf_client, reference_data):
    staff = UserFactory(staff=True)
    assert post_login(csrf_client, staff.username, PASSWORD).status_code == 403
    csrf_client.force_login(staff)
    for url, data in [
        (reverse("selection:round-create"), {"name": "x"}),
        (reverse("initiatives:overlap-run-start"), {}),
        (reverse("initiatives:create"), {"title": "x"}),
        (reverse("logout"), {}),
        (reverse("two-factor-remove"), {"password": PASSWORD}),
        (reverse("set_language"), {"language": "en"}),
    ]:
        assert csrf_client.post(url, data).status_code == 403, url


def test_htmx_endpoints_refuse_a_post_without_token_and_accept_the_page_token(csrf_client, reference_data):
    eco = EcosystemFactory(slug="csrf-eco")
    board = board_user_for(eco)
    _agenda, _version = draft_agenda(ecosystem=eco)
    csrf_client.force_login(board)
    url = reverse("agendas:part-add", args=[eco.slug, "endorsement"])
    data = {"endorsement-organisation": "TU/e", "endorsement-helix_role": "knowledge"}
    response = csrf_client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    token = page_token(csrf_client, reverse("agendas:edit", args=[eco.slug, 1]))
    response = csrf_client.post(url, data, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert "TU/e" in response.content.decode()


def test_session_authenticated_api_writes_need_the_token(csrf_client, reference_data):
    staff = UserFactory(staff=True)
    csrf_client.force_login(staff)
    response = csrf_client.post("/api/v1/initiatives/", {}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()


# --- Two-factor authentication ---------------------------------------------------------------


def current_code(device: TOTPDevice) -> str:
    """What the user's authenticator app shows now (RFC 6238), computed independently of the view."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def set_up_device(client: Client, user) -> TOTPDevice:
    client.force_login(user)
    response = client.get(reverse("two-factor"))
    assert response.status_code == 200
    assert "<svg" in response.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("two-factor"), {"code": "000000" if current_code(device) != "000000" else "111111"})
    assert response.status_code == 400  # wrong code: not confirmed
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code above started django-otp's back-off
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(reverse("two-factor"), {"code": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_staff_sets_up_totp_and_then_needs_a_code_after_the_password(client):
    staff = UserFactory(staff=True)
    device = set_up_device(client, staff)
    # A fresh login: the password alone only reaches the code step.
    other = Client()
    response = post_login(other, staff.username, PASSWORD)
    assert response.status_code == 302
    response = other.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("two-factor-verify"))
    assert other.get("/api/v1/initiatives/").status_code == 403
    # A wrong code is refused.
    wrong = "123456" if current_code(device) != "123456" else "654321"
    response = other.post(reverse("two-factor-verify"), {"code": wrong, "next": reverse("dashboard")})
    assert response.status_code == 400
    assert "Die code klopt niet" in response.content.decode()
    assert other.get(reverse("dashboard")).status_code == 302
    # The right code (after django-otp's back-off for the wrong one) opens the pages.
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.last_t = -1  # the code may be the one used at setup in this same 30 s window
    device.save()
    response = other.post(reverse("two-factor-verify"), {"code": current_code(device), "next": reverse("dashboard")})
    assert response.status_code == 302 and response.url == reverse("dashboard")
    assert other.get(reverse("dashboard")).status_code == 200


def test_admin_site_needs_the_code_when_the_admin_has_a_device(client):
    admin = UserFactory(admin=True)
    set_up_device(client, admin)
    fresh = Client()
    fresh.force_login(admin)  # password step done, code step not
    response = fresh.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("two-factor-verify") in response.url


def test_removing_the_device_needs_the_password(client):
    staff = UserFactory(staff=True)
    set_up_device(client, staff)
    response = client.post(reverse("two-factor-remove"), {"password": "niet-mijn-wachtwoord"})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    assert client.get(reverse("two-factor-remove")).status_code == 405
    response = client.post(reverse("two-factor-remove"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists()
    client.logout()
    post_login(client, staff.username, PASSWORD)
    assert client.get(reverse("dashboard")).status_code == 200  # no code step any more


def test_board_members_have_no_two_factor_page(client):
    eco = EcosystemFactory()
    client.force_login(board_user_for(eco))
    assert client.get(reverse("two-factor")).status_code == 403


def test_required_two_factor_sends_staff_without_device_to_setup(client, settings):
    settings.REQUIRE_2FA_FOR_STAFF = True
    staff = UserFactory(staff=True)
    client.force_login(staff)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("two-factor"))
    board = board_user_for(EcosystemFactory())
    client.force_login(board)
    assert client.get(reverse("agendas:index")).status_code == 200  # not for board members
    # After setting up a device the staff member gets through.
    device = set_up_device(client, staff)
    assert device.confirmed
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_code_from_ten_minutes_ago_is_refused():
    staff = UserFactory(staff=True)
    client = Client()
    device = set_up_device(client, staff)
    client.logout()
    client.force_login(staff)
    # Shifting t0 forward by 600 s gives the code the app showed 10 minutes ago.
    stale = f"{totp(device.bin_key, step=device.step, t0=device.t0 + 600, digits=device.digits):06d}"
    if stale == current_code(device):
        pytest.skip("the stale and current codes collide by chance (1 in a million)")
    response = client.post(reverse("two-factor-verify"), {"code": stale})
    assert response.status_code == 400


def test_a_device_deleted_by_an_administrator_does_not_trap_the_user_in_the_code_step():
    staff = UserFactory(staff=True)
    set_up_device(Client(), staff)
    client = Client()
    client.force_login(staff)  # the session now remembers "has a device"
    TOTPDevice.objects.filter(user=staff).delete()  # lost phone: the administrator removes it
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and reverse("two-factor-verify") in response.url
    response = client.get(response.url)
    assert response.status_code == 302 and response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
