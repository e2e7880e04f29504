"""Core pages: home per role, ecosystem profile editing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from initiatives import selectors as initiative_selectors
from portal import permissions, selectors
from portal.forms import EcosystemProfileForm
from portal.models import Ecosystem
from portal.services import ecosystem_update


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict = {"counts": selectors.national_counts()}
    if permissions.is_board(user):
        ecosystems = list(selectors.board_ecosystems(user=user))
        context["ecosystems"] = ecosystems
        context["initiatives"] = initiative_selectors.initiative_list(user=user).filter(
            ecosystem__in=ecosystems
        )[:50]
        template = "portal/home_board.html"
    elif permissions.is_rom(user):
        context["provinces"] = selectors.rom_provinces(user=user)
        template = "portal/home_rom.html"
    elif permissions.is_programme_team(user):
        template = "portal/home_staff.html"
    else:
        template = "portal/home_public.html"
    return render(request, template, context)


@login_required
def ecosystem_edit(request: HttpRequest, slug: str) -> HttpResponse:
    ecosystem = permissions.access_write(request.user, get_object_or_404(Ecosystem, slug=slug))
    form = EcosystemProfileForm(request.POST or None, instance=Ecosystem.objects.get(pk=ecosystem.pk))
    if request.method == "POST" and form.is_valid():
        try:
            ecosystem_update(ecosystem=ecosystem, actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The ecosystem profile was saved."))
            return redirect("home")
    return render(request, "portal/ecosystem_edit.html", {"ecosystem": ecosystem, "form": form})
