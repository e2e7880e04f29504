"""Pages for the TOTP second factor: set up, enter a code at login, remove."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import two_factor
from portal.forms import OtpCodeForm, PasswordConfirmForm


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Status page; without a confirmed device: scan the QR code and confirm a first code."""
    if not two_factor.is_eligible(request.user):
        raise PermissionDenied
    device = two_factor.confirmed_device(request.user)
    if device is not None:
        return render(request, "portal/two_factor.html", {
            "device": device, "remove_form": PasswordConfirmForm(request.user), "next": _next_url(request),
        })
    pending = two_factor.pending_device(request.user)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.confirm_device(request, pending, form.cleaned_data["code"]):
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(_next_url(request))
        form.add_error("code", _("That code is not correct (or has expired). Enter the current code."))
    return render(request, "portal/two_factor.html", {
        "form": form, "qr_svg": two_factor.qr_svg(pending),
        "secret_b32": _b32(pending.bin_key), "next": _next_url(request),
    }, status=400 if form.errors else 200)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The login step for a user with a device: the session is not verified until a code matches."""
    device = two_factor.confirmed_device(request.user)
    if device is None:
        # Removed elsewhere (e.g. by an administrator) since login: stop asking for a code.
        request.session[two_factor.SESSION_KEY] = False
        return redirect(_next_url(request))
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify_code(request, device, form.cleaned_data["code"]):
            return redirect(_next_url(request))
        form.add_error("code", _("That code is not correct (or has expired). Enter the current code."))
    return render(request, "portal/two_factor_verify.html", {"form": form, "next": _next_url(request)},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    """Turns two-factor authentication off after the password is entered again."""
    device = two_factor.confirmed_device(request.user)
    if device is None:
        return redirect("two-factor")
    form = PasswordConfirmForm(request.user, request.POST)
    if not form.is_valid():
        return render(request, "portal/two_factor.html", {"device": device, "remove_form": form, "next": "/"},
                      status=400)
    two_factor.remove_devices(request)
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("two-factor")


def _b32(key: bytes) -> str:
    from base64 import b32encode

    return b32encode(key).decode("ascii").rstrip("=")
