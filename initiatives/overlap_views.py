"""Browser pages for overlap suggestions: the staff queue and its actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from initiatives import overlap_services as svc
from initiatives import selectors
from initiatives.forms import OverlapActionForm
from initiatives.models import OverlapRun, OverlapSuggestion
from portal import permissions
from portal.exceptions import ApplicationError

QUEUE_PAGE_SIZE = 100


def _require_staff(request: HttpRequest) -> None:
    if not permissions.is_staff_member(request.user):
        raise PermissionDenied


@login_required
def overlap_queue(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    suggestions = selectors.overlap_suggestion_queue(user=request.user)[:QUEUE_PAGE_SIZE]
    return render(request, "initiatives/overlap_queue.html", {
        "suggestions": suggestions,
        "last_run": OverlapRun.objects.order_by("-created_at", "-id").first(),
        "form": OverlapActionForm(),
    })


@login_required
@require_POST
def overlap_action(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    suggestion = get_object_or_404(OverlapSuggestion.objects.select_related("a", "b"), pk=pk)
    form = OverlapActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("initiatives:overlap-queue")
    data, actor = form.cleaned_data, request.user
    try:
        match data["action"]:
            case "confirm":
                svc.overlap_confirm(suggestion=suggestion, actor=actor)
            case "complementary":
                svc.overlap_mark_complementary(suggestion=suggestion, actor=actor)
            case "dismiss":
                svc.overlap_dismiss(suggestion=suggestion, actor=actor, reason=data["reason"])
            case "link":
                svc.initiative_link_create(
                    actor=actor, from_initiative=suggestion.a, to_initiative=suggestion.b,
                    kind=data["link_kind"], suggestion=suggestion,
                )
            case "merge":
                survivor, merged = ((suggestion.a, suggestion.b) if data["survivor"] == "a"
                                    else (suggestion.b, suggestion.a))
                svc.initiative_merge(actor=actor, survivor=survivor, merged=merged, suggestion=suggestion)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The suggestion was updated."))
    return redirect("initiatives:overlap-queue")


@login_required
@require_POST
def overlap_run_start(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    try:
        svc.overlap_run_start(actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("A full overlap run was started."))
    return redirect("initiatives:overlap-queue")
