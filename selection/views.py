"""Selection screens: rounds, assessor worklist and scoring form, ranking with what-if, decisions."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from initiatives.models import Initiative
from portal import permissions
from portal.exceptions import ApplicationError
from portal.models import Theme
from portal.spreadsheets import neutralise
from selection import selectors, services
from selection.forms import (
    AssessmentForm,
    AssignForm,
    ConflictForm,
    DecisionForm,
    RoundForm,
    WhatIfForm,
)
from selection.models import RoundAssignment, SelectionRound

PAGE_SIZE = 50


def _staff_round(request: HttpRequest, pk: int) -> SelectionRound:
    if not permissions.can_manage_selection(request.user):
        raise PermissionDenied
    return get_object_or_404(SelectionRound.objects.select_related("framework_version__framework"), pk=pk)


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    if not permissions.is_programme_team(request.user):
        raise PermissionDenied
    return render(request, "selection/round_list.html", {
        "rounds": selectors.rounds_for(user=request.user),
        "can_manage": permissions.can_manage_selection(request.user),
    })


@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_selection(request.user):
        raise PermissionDenied
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            selection_round = services.round_create(
                actor=request.user, name=data["name"], framework_version=data["framework_version"],
                scope=form.scope(), deadline=data["deadline"], disagreement_threshold=data["disagreement_threshold"],
                shortlist_size=data["shortlist_size"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The round was created."))
            return redirect("selection:round-detail", pk=selection_round.pk)
    return render(request, "selection/round_form.html", {"form": form})


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    selection_round = _staff_round(request, pk)
    assign_form = AssignForm(initial={"assessors": selection_round.assessors.all()})
    return render(request, "selection/round_detail.html", {
        "round": selection_round, "assign_form": assign_form, "run": selectors.latest_run(selection_round=selection_round),
        "scope_count": services.round_scope_queryset(selection_round).count(),
        "assignment_count": RoundAssignment.objects.filter(round=selection_round).count(),
        "excluded_count": RoundAssignment.objects.filter(round=selection_round, excluded=True).count(),
        "assessors": selection_round.assessors.order_by("username"),
    })


@login_required
@require_POST
def round_status(request: HttpRequest, pk: int) -> HttpResponse:
    selection_round = _staff_round(request, pk)
    try:
        services.round_set_status(selection_round=selection_round, actor=request.user, status=request.POST.get("status", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("selection:round-detail", pk=pk)


@login_required
@require_POST
def round_assign(request: HttpRequest, pk: int) -> HttpResponse:
    selection_round = _staff_round(request, pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            created = services.round_assign_assessors(
                selection_round=selection_round, actor=request.user, assessors=form.cleaned_data["assessors"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(count)s assignments created.") % {"count": created})
    else:
        messages.error(request, _("Choose at least one assessor."))
    return redirect("selection:round-detail", pk=pk)


@login_required
@require_POST
def round_score(request: HttpRequest, pk: int) -> HttpResponse:
    selection_round = _staff_round(request, pk)
    try:
        run = services.scoring_run_start(selection_round=selection_round, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        run.refresh_from_db(fields=["status"])
        if run.status == run.Status.FAILED:  # the job queue (Redis) was down: say so, lose nothing silently
            messages.error(request, _("The job queue is unavailable; the run was not started. Try again later."))
        else:
            messages.success(request, _("The scoring run has started."))
    return redirect("selection:round-detail", pk=pk)


@login_required
def round_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's progress as an htmx fragment; it polls itself while the run is running."""
    selection_round = _staff_round(request, pk)
    return render(request, "selection/_progress.html", {
        "round": selection_round, "run": selectors.latest_run(selection_round=selection_round),
    })


# --- assessors ------------------------------------------------------------------------------


@login_required
def worklist(request: HttpRequest, pk: int) -> HttpResponse:
    selection_round = permissions.access_read(request.user, get_object_or_404(SelectionRound, pk=pk))
    return render(request, "selection/worklist.html", {
        "round": selection_round, "rows": selectors.assessor_worklist(user=request.user, selection_round=selection_round),
    })


def _assignment_or_403(request: HttpRequest, selection_round: SelectionRound, initiative_id: int) -> RoundAssignment:
    assignment = RoundAssignment.objects.filter(
        round=selection_round, initiative_id=initiative_id, assessor_id=request.user.pk
    ).first()
    if assignment is None or selection_round.status != SelectionRound.Status.OPEN:
        raise PermissionDenied
    return assignment


@login_required
def assess(request: HttpRequest, pk: int, initiative_pk: int) -> HttpResponse:
    selection_round = get_object_or_404(SelectionRound, pk=pk)
    assignment = _assignment_or_403(request, selection_round, initiative_pk)
    initiative = get_object_or_404(
        Initiative.objects.select_related("ecosystem", "theme", "lead_organisation"), pk=initiative_pk
    )
    if assignment.excluded:
        return redirect("selection:conflict", pk=pk, initiative_pk=initiative_pk)
    assessment = selectors.own_assessment(user=request.user, selection_round=selection_round, initiative=initiative)
    criteria = selectors.round_criteria(selection_round=selection_round)
    form = AssessmentForm(
        request.POST or None, criteria=criteria, initial_scores=selectors.assessment_scores(assessment=assessment)
    )
    submitted = assessment is not None and assessment.status == assessment.Status.SUBMITTED
    if request.method == "POST" and not submitted and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.assessment_save(
                selection_round=selection_round, initiative=initiative, actor=request.user,
                answers=form.answers(), submit=submit,
            )
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                form.add_error(f"{key}-value" if f"{key}-value" in form.fields else None, errors)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your assessment was submitted.") if submit else _("Your draft was saved."))
            return redirect("selection:worklist", pk=pk) if submit else redirect(request.path)
    return render(request, "selection/assess.html", {
        "round": selection_round, "initiative": initiative, "form": form, "submitted": submitted,
        "assessment": assessment,
        "suggestions": selectors.live_suggestions(selection_round=selection_round, initiative=initiative),
    })


@login_required
def conflict(request: HttpRequest, pk: int, initiative_pk: int) -> HttpResponse:
    selection_round = get_object_or_404(SelectionRound, pk=pk)
    assignment = _assignment_or_403(request, selection_round, initiative_pk)
    initiative = get_object_or_404(Initiative, pk=initiative_pk)
    declaration = selection_round.conflicts.filter(assessor=request.user, initiative=initiative).first()
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and declaration is None and form.is_valid():
        try:
            services.conflict_declare(
                selection_round=selection_round, initiative=initiative, actor=request.user,
                statement=form.cleaned_data["statement"],
            )
        except ValidationError as exc:
            form.add_error("statement", exc.messages)
        else:
            messages.success(request, _("Your declaration was recorded; you will not assess this initiative."))
            return redirect("selection:worklist", pk=pk)
    return render(request, "selection/conflict.html", {
        "round": selection_round, "initiative": initiative, "assignment": assignment, "declaration": declaration,
        "form": form,
    })


# --- ranking, what-if, export, decisions ----------------------------------------------------


def _ranking_for(request: HttpRequest, selection_round: SelectionRound) -> tuple[selectors.Ranking, WhatIfForm]:
    criteria = selectors.round_criteria(selection_round=selection_round)
    form = WhatIfForm(request.GET or None, criteria=criteria)
    try:
        min_coverage = max(0.0, min(1.0, float(request.GET.get("coverage") or 0) / 100))
    except ValueError:
        min_coverage = 0.0
    result = selectors.ranking(
        selection_round=selection_round, weights=form.weights() if request.GET else None,
        theme=request.GET.get("theme", ""), disagreement_only=request.GET.get("disagreement") == "1",
        min_coverage=min_coverage,
    )
    return result, form


@login_required
def ranking(request: HttpRequest, pk: int) -> HttpResponse:
    selection_round = _staff_round(request, pk)
    result, form = _ranking_for(request, selection_round)
    page = Paginator(result.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "round": selection_round, "ranking": result, "form": form, "page": page, "query": query.urlencode(),
        "themes": Theme.objects.all(), "run": selectors.latest_run(selection_round=selection_round),
    }
    template = "selection/_ranking_table.html" if request.headers.get("HX-Request") else "selection/ranking.html"
    return render(request, template, context)


@login_required
def ranking_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    selection_round = _staff_round(request, pk)
    result, _form = _ranking_for(request, selection_round)
    header, rows = selectors.export_rows(ranking_=result)
    filename = f"ranglijst-ronde-{selection_round.pk}"
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Ranking")[:31]
        sheet.append([neutralise(h) for h in header])
        for row in rows:
            sheet.append([neutralise(v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow([neutralise(h) for h in header])
    writer.writerows([neutralise(v) for v in row] for row in rows)
    return response


@login_required
def decide(request: HttpRequest, pk: int, initiative_pk: int) -> HttpResponse:
    if not permissions.can_decide(request.user):
        raise PermissionDenied
    selection_round = _staff_round(request, pk)
    initiative = get_object_or_404(Initiative.objects.select_related("ecosystem"), pk=initiative_pk)
    existing = selection_round.decisions.filter(initiative=initiative).first()
    initial = {"outcome": existing.outcome, "rationale": existing.rationale} if existing else {}
    form = DecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_record(
                selection_round=selection_round, initiative=initiative, actor=request.user,
                outcome=form.cleaned_data["outcome"], rationale=form.cleaned_data["rationale"],
            )
        except ValidationError as exc:
            for field_name, errors in exc.message_dict.items():
                form.add_error(field_name if field_name in form.fields else None, errors)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("selection:ranking", pk=pk)
    result = selection_round.results.filter(initiative=initiative).first()
    return render(request, "selection/decide.html", {
        "round": selection_round, "initiative": initiative, "form": form, "result": result, "existing": existing,
    })


@login_required
def board_decisions(request: HttpRequest) -> HttpResponse:
    """Decisions and their rationale about the board's own initiatives (no scores)."""
    if not permissions.is_board(request.user):
        raise PermissionDenied
    return render(request, "selection/board_decisions.html", {
        "decisions": selectors.decisions_for_board(user=request.user),
    })
