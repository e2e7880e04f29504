"""Browser pages for overlap suggestions: the staff queue and its actions, the side-by-side
comparison, the board's view with link proposals, and the network of links and overlaps."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from initiatives import overlap_selectors, selectors
from initiatives import overlap_services as svc
from initiatives.forms import OverlapActionForm
from initiatives.models import Initiative, InitiativeLink, OverlapRun, OverlapSuggestion
from initiatives.overlap_compare import compare
from initiatives.overlap_forms import LinkAnswerForm, LinkProposalForm, NetworkFilterForm
from portal import permissions
from portal.exceptions import ApplicationError
from portal.permissions import AnyUser

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
    # The comparison page posts here too and wants to come back to itself.
    back = (reverse("initiatives:overlap-compare", args=[pk]) if request.POST.get("return_to") == "compare"
            else reverse("initiatives:overlap-queue"))
    form = OverlapActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
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
    return redirect(back)


@login_required
@require_POST
def overlap_run_start(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    try:
        run = svc.overlap_run_start(actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        run.refresh_from_db(fields=["status"])
        if run.status == run.Status.FAILED:  # the job queue (Redis) was down: say so, lose nothing silently
            messages.error(request, _("The job queue is unavailable; the run was not started. Try again later."))
        else:
            messages.success(request, _("A full overlap run was started."))
    return redirect("initiatives:overlap-queue")


# --- comparison --------------------------------------------------------------------------------


def _side(user: AnyUser, initiative: Initiative) -> dict[str, object]:
    # Another region's unpublished initiative: its title and regions only.
    return {"initiative": initiative, "full": permissions.can_read(user, initiative)}


@login_required
def overlap_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Both initiatives side by side with the shared concepts and terms highlighted (staff, the
    programme team, and the boards and ROMs whose initiatives are involved)."""
    suggestion = overlap_selectors.overlap_suggestion_get(pk=pk, user=request.user)
    a, b = _side(request.user, suggestion.a), _side(request.user, suggestion.b)
    comparison = compare(
        a_title=suggestion.a.title, a_description=suggestion.a.description if a["full"] else "",
        b_title=suggestion.b.title, b_description=suggestion.b.description if b["full"] else "",
    )
    own = permissions.board_ecosystem_ids(request.user)
    propose = None
    if permissions.is_board(request.user):
        # The board proposes a link from its own side to the other side.
        mine, other = (suggestion.a, suggestion.b) if suggestion.a.ecosystem_id in own else (suggestion.b, suggestion.a)
        if other.ecosystem_id not in own or other.ecosystem_id is None:
            propose = {"from": mine, "to": other, "kinds": InitiativeLink.Kind.choices}
    return render(request, "initiatives/overlap_compare.html", {
        "s": suggestion,
        "a": a,
        "b": b,
        "comparison": comparison,
        "can_act": permissions.can_write(request.user, suggestion),
        "form": OverlapActionForm(),
        "propose": propose,
    })


# --- boards ------------------------------------------------------------------------------------


def _require_board(request: HttpRequest) -> None:
    if not permissions.is_board(request.user):
        raise PermissionDenied


@login_required
def overlap_board(request: HttpRequest, form: LinkProposalForm | None = None) -> HttpResponse:
    """The board's view: suggestions involving its initiatives, proposals to answer, its links."""
    _require_board(request)
    own = permissions.board_ecosystem_ids(request.user)
    links = list(overlap_selectors.overlap_board_links(user=request.user))
    incoming = [
        link for link in links
        if link.status == InitiativeLink.Status.PROPOSED and link.to_initiative.ecosystem_id in own
    ]
    return render(request, "initiatives/overlap_board.html", {
        "suggestions": overlap_selectors.overlap_board_suggestions(user=request.user),
        "incoming": incoming,
        "links": [link for link in links if link not in incoming],
        "form": form or LinkProposalForm(user=request.user),
        "answer_form": LinkAnswerForm(),
    }, status=400 if form is not None else 200)


@login_required
@require_POST
def overlap_link_propose(request: HttpRequest) -> HttpResponse:
    _require_board(request)
    form = LinkProposalForm(request.POST, user=request.user)
    if not form.is_valid():
        return overlap_board(request, form=form)
    data = form.cleaned_data
    try:
        link = svc.initiative_link_create(
            actor=request.user, from_initiative=data["from_initiative"], to_initiative=data["to_initiative"],
            kind=data["kind"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if link.status == InitiativeLink.Status.PROPOSED:
            messages.success(request, _("The link was proposed; the other board accepts or declines it."))
        else:
            messages.success(request, _("The link was added."))
    return redirect("initiatives:overlap-board")


@login_required
@require_POST
def overlap_link_answer(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(InitiativeLink.objects.select_related("from_initiative", "to_initiative"), pk=pk)
    if not permissions.can_answer_link(request.user, link):
        raise PermissionDenied
    form = LinkAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept or decline."))
    else:
        try:
            svc.initiative_link_answer(link=link, actor=request.user, accept=form.cleaned_data["answer"] == "accept")
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your answer was saved."))
    if permissions.is_board(request.user):
        return redirect("initiatives:overlap-board")
    return redirect("initiatives:overlap-queue")


# --- network -----------------------------------------------------------------------------------


def _network_for(request: HttpRequest) -> tuple[NetworkFilterForm, overlap_selectors.Network]:
    if not permissions.is_programme_team(request.user):
        raise PermissionDenied
    form = NetworkFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    network = overlap_selectors.overlap_network(
        theme=filters.get("theme", ""), priority=filters.get("priority", ""),
    )
    return form, network


@login_required
def overlap_network(request: HttpRequest) -> HttpResponse:
    """The network of links and confirmed overlaps; the cluster table is its accessible twin."""
    form, network = _network_for(request)
    query = request.GET.urlencode() if form.is_valid() else ""
    return render(request, "initiatives/overlap_network.html", {
        "form": form,
        "network": network,
        "data_url": reverse("initiatives:overlap-network-data") + (f"?{query}" if query else ""),
    })


@login_required
def overlap_network_data(request: HttpRequest) -> JsonResponse:
    _form, network = _network_for(request)
    detail = reverse("initiatives:detail", args=[0]).replace("/0/", "/{id}/")
    return JsonResponse({
        "nodes": [{**node, "url": detail.replace("{id}", str(node["id"]))} for node in network.nodes],
        "edges": [
            {**edge, "label": str(_EDGE_LABELS.get(edge["kind"], edge["kind"]))} for edge in network.edges
        ],
        "legend": network.legend,
    })


_EDGE_LABELS = {**dict(InitiativeLink.Kind.choices), "confirmed_overlap": OverlapSuggestion.Status.CONFIRMED_OVERLAP.label}
