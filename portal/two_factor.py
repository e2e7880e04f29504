"""Optional TOTP second factor (django-otp) for the programme team and administrators.

Flow: the normal login form logs the user in; a user with a confirmed TOTP device is then held
by RequireTwoFactorMiddleware at the code step until the session is OTP-verified. With
REQUIRE_2FA_FOR_STAFF a programme-team member or administrator without a device is sent to the
setup page first.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "authenticator"
# Session flag: does this user have a confirmed device? Set at login and when the user adds or
# removes one here; a device an administrator adds elsewhere counts from the user's next login.
SESSION_KEY = "portal_2fa_device"


def is_eligible(user) -> bool:
    """Who may (and, with REQUIRE_2FA_FOR_STAFF, must) use a second factor."""
    return bool(
        user.is_authenticated and (user.is_programme_team or user.is_staff or user.is_superuser)
    )


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_device(request: HttpRequest) -> bool:
    value = request.session.get(SESSION_KEY)
    if value is None:  # a session from before this flag existed
        value = request.session[SESSION_KEY] = confirmed_device(request.user) is not None
    return bool(value)


def remember_device_on_login(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session") and is_eligible(user):
        request.session[SESSION_KEY] = TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being set up (a fresh secret the first time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG (presentation attributes only: CSP-safe, no style="")."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code for your authenticator app"))


def verify_code(request: HttpRequest, device: TOTPDevice, code: str) -> bool:
    """Checks a code (django-otp throttles repeated failures) and marks the session verified."""
    code = "".join(code.split())
    if not code.isdigit() or not device.verify_token(code):
        return False
    otp_login(request, device)
    return True


def confirm_device(request: HttpRequest, device: TOTPDevice, code: str) -> bool:
    if not verify_code(request, device, code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Only one authenticator per user: an earlier confirmed one is replaced.
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    request.session[SESSION_KEY] = True
    return True


def remove_devices(request: HttpRequest) -> None:
    TOTPDevice.objects.filter(user=request.user).delete()
    request.session[SESSION_KEY] = False


# Paths a user who still owes a code (or a device) may visit: the 2FA pages themselves, logging
# out, switching language, static files and health checks.
_EXEMPT_NAMES = ("two-factor", "two-factor-verify", "two-factor-remove", "logout", "set_language")


class RequireTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._exempt(request):
            target = self._redirect_target(request, user)
            if target is not None:
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Two-factor authentication required.")}, status=403)
                return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        path = request.path
        if path.startswith(settings.STATIC_URL) or path == "/healthz":
            return True
        return any(path == reverse(name) for name in _EXEMPT_NAMES)

    @staticmethod
    def _redirect_target(request: HttpRequest, user) -> str | None:
        # Only the programme team and administrators can have a device: everyone else costs no query.
        if not is_eligible(user) or user.is_verified():  # is_verified: set by django_otp's OTPMiddleware
            return None
        if has_device(request):
            return "two-factor-verify"
        if settings.REQUIRE_2FA_FOR_STAFF:
            return "two-factor"
        return None
