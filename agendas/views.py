"""Agenda screens: board editor and checklist, versions and diffs, staff review, comparison, Excel.

Thin views: permission through portal.permissions, then a selector or service, then a template.
htmx partials (row tables) are protected exactly like the full pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agendas import excel, selectors, services, workflow
from agendas.forms import (
    PARTS_BY_CRITERION,
    AssessmentForm,
    ImportForm,
    TransitionForm,
    VersionTextForm,
    part_form,
)
from agendas.models import (
    CRITERIA,
    PART_MODELS,
    TEXT_FIELDS_BY_CRITERION,
    Agenda,
    AgendaVersion,
    Status,
)
from portal import permissions
from portal.exceptions import ApplicationError, ConflictError
from portal.models import Ecosystem


def _agenda(request: HttpRequest, slug: str) -> Agenda:
    agenda = selectors.agenda_for_ecosystem(slug=slug)
    if agenda is None:
        raise Http404
    return permissions.access_read(request.user, agenda)


def _draft_for_writing(request: HttpRequest, agenda: Agenda) -> AgendaVersion:
    version = services.agenda_draft(agenda)
    return permissions.access_write(request.user, version)


def _version(request: HttpRequest, agenda: Agenda, number: int) -> AgendaVersion:
    version = selectors.versions_with_parts().filter(agenda=agenda, number=number).first()
    if version is None:
        raise Http404
    return permissions.access_read(request.user, version)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    own = permissions.board_ecosystem_ids(user)
    ecosystems = Ecosystem.objects.filter(id__in=own).select_related("agenda") if own else Ecosystem.objects.none()
    if permissions.is_programme_team(user):
        agendas = list(Agenda.objects.select_related("ecosystem"))
    else:
        agendas = list(
            Agenda.objects.select_related("ecosystem").filter(versions__status=Status.ADOPTED).distinct()
        )
    return render(request, "agendas/index.html", {"own_ecosystems": ecosystems, "agendas": agendas})


@login_required
@require_POST
def create(request: HttpRequest, slug: str) -> HttpResponse:
    ecosystem = get_object_or_404(Ecosystem, slug=slug)
    services.agenda_create(ecosystem=ecosystem, actor=request.user)
    return redirect("agendas:edit", slug=slug, criterion=1)


@login_required
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    agenda = _agenda(request, slug)
    role = permissions.agenda_role(request.user, agenda.ecosystem_id)
    versions = selectors.agenda_versions(agenda=agenda, user=request.user)
    targets = [
        (t, workflow.TRANSITION_LABELS[t]) for t in workflow.targets_for(source=agenda.status, role=role)
    ]
    return render(request, "agendas/detail.html", {
        "agenda": agenda, "role": role, "versions": versions, "targets": targets,
        "criteria": CRITERIA, "import_form": ImportForm(),
    })


@login_required
def edit(request: HttpRequest, slug: str, criterion: int) -> HttpResponse:
    if criterion not in CRITERIA:
        raise Http404
    agenda = _agenda(request, slug)
    version = _draft_for_writing(request, agenda)
    conflict: dict[str, Any] | None = None
    form = VersionTextForm(request.POST or None, instance=version, criterion=criterion)
    if request.method == "POST" and form.is_valid():
        try:
            services.version_update(
                version=version, actor=request.user, data=form.content(),
                lock_version=form.cleaned_data["lock_version"],
            )
        except ConflictError as exc:
            # Keep the user's text, show what is stored now, and let a second save overwrite
            # deliberately (the form now carries the current lock number).
            stored = AgendaVersion.objects.get(pk=version.pk)
            conflict = {f: getattr(stored, f) for f in TEXT_FIELDS_BY_CRITERION[criterion]}
            data = request.POST.copy()
            data["lock_version"] = str(exc.extra["lock_version"])
            form = VersionTextForm(data, instance=stored, criterion=criterion)
            form.is_valid()
            form.add_error(None, exc.message)
        except (ApplicationError, ValidationError) as exc:
            form.add_error(None, getattr(exc, "message", None) or "; ".join(exc.messages))  # type: ignore[union-attr]
        else:
            messages.success(request, _("Saved."))
            return redirect("agendas:edit", slug=slug, criterion=criterion)
    parts = [_part_context(version, kind, agenda.ecosystem_id) for kind in PARTS_BY_CRITERION[criterion]]
    return render(request, "agendas/edit.html", {
        "agenda": agenda, "version": version, "criterion": criterion, "criterion_title": CRITERIA[criterion],
        "criteria": CRITERIA, "form": form, "has_text": bool(TEXT_FIELDS_BY_CRITERION[criterion]),
        "parts": parts, "conflict": conflict,
        "conflict_values": [(form[f].label, value) for f, value in conflict.items()] if conflict else [],
    }, status=409 if conflict else 200)


def _part_context(version: AgendaVersion, kind: str, ecosystem_id: int, form: Any = None) -> dict[str, Any]:
    model, related = PART_MODELS[kind]
    form = form or part_form(kind, ecosystem_id=ecosystem_id)
    fields = [f for f in form._meta.fields if f != "initiatives"]
    rows = []
    for row in getattr(version, related).all():
        cells = []
        for name in fields:
            display = getattr(row, f"get_{name}_display", None)
            value = display() if display else getattr(row, name)
            if isinstance(value, bool):
                value = _("yes") if value else _("no")
            cells.append(value)
        if kind == "action":
            cells.append(", ".join(i.title for i in row.initiatives.all()))
        rows.append({"id": row.pk, "cells": cells})
    headers = [model._meta.get_field(f).verbose_name for f in fields]
    if kind == "action":
        headers.append(model._meta.get_field("initiatives").verbose_name)
    return {"kind": kind, "title": model._meta.verbose_name_plural, "headers": headers, "rows": rows, "form": form}


def _render_part(request: HttpRequest, agenda: Agenda, version: AgendaVersion, kind: str, form: Any = None,
                 status: int = 200) -> HttpResponse:
    version = selectors.version_get(version_id=version.pk)
    return render(request, "agendas/partials/_parts.html", {
        "agenda": agenda, "part": _part_context(version, kind, agenda.ecosystem_id, form),
    }, status=status)


@login_required
@require_POST
def part_add(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    if kind not in PART_MODELS:
        raise Http404
    agenda = _agenda(request, slug)
    version = _draft_for_writing(request, agenda)
    form = part_form(kind, request.POST, ecosystem_id=agenda.ecosystem_id)
    if not form.is_valid():
        return _render_part(request, agenda, version, kind, form, status=422)
    data = {k: v for k, v in form.cleaned_data.items() if k != "initiatives"}
    initiative_ids = [i.pk for i in form.cleaned_data.get("initiatives", [])]
    try:
        services.part_add(version=version, actor=request.user, kind=kind, data=data, initiative_ids=initiative_ids)
    except (ApplicationError, ValidationError) as exc:
        form.add_error(None, getattr(exc, "message", None) or "; ".join(exc.messages))  # type: ignore[union-attr]
        return _render_part(request, agenda, version, kind, form, status=422)
    if not request.htmx:
        return redirect("agendas:edit", slug=slug, criterion=PART_MODELS[kind][0].criterion)
    return _render_part(request, agenda, version, kind)


@login_required
@require_POST
def part_remove(request: HttpRequest, slug: str, kind: str, pk: int) -> HttpResponse:
    if kind not in PART_MODELS:
        raise Http404
    agenda = _agenda(request, slug)
    version = _draft_for_writing(request, agenda)
    services.part_remove(version=version, actor=request.user, kind=kind, part_id=pk)
    if not request.htmx:
        return redirect("agendas:edit", slug=slug, criterion=PART_MODELS[kind][0].criterion)
    return _render_part(request, agenda, version, kind)


@login_required
def checklist(request: HttpRequest, slug: str) -> HttpResponse:
    """The board's pre-submit checklist: the automatic checks on the current draft."""
    agenda = _agenda(request, slug)
    version = permissions.access_write(request.user, selectors.version_get(version_id=services.agenda_draft(agenda).pk))
    role = permissions.agenda_role(request.user, agenda.ecosystem_id)
    can_submit = workflow.is_allowed(source=agenda.status, target=Status.SUBMITTED, role=role)
    return render(request, "agendas/checklist.html", {
        "agenda": agenda, "version": version, "rows": selectors.criterion_rows(version, with_scores=False),
        "can_submit": can_submit,
    })


@login_required
@require_POST
def transition(request: HttpRequest, slug: str) -> HttpResponse:
    agenda = _agenda(request, slug)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was incomplete."))
        return redirect("agendas:detail", slug=slug)
    try:
        services.agenda_transition(
            agenda=agenda, actor=request.user, target=form.cleaned_data["target"], note=form.cleaned_data["note"]
        )
    except ApplicationError as exc:  # InvalidTransition included
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The agenda now has the status '%(status)s'.") % {
            "status": Status(form.cleaned_data["target"]).label
        })
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("agendas:detail", slug=slug)


@login_required
def version_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A version with its checks and (when visible) the assessment; print-styled for meetings."""
    agenda = _agenda(request, slug)
    version = _version(request, agenda, number)
    show_scores = permissions.is_programme_team(request.user) or version.status in {Status.FEEDBACK, Status.ADOPTED}
    return render(request, "agendas/version.html", {
        "agenda": agenda, "version": version, "rows": selectors.criterion_rows(version, with_scores=show_scores),
        "show_scores": show_scores, "parts": _version_parts(version), "printed_at": timezone.now(),
    })


def _version_parts(version: AgendaVersion) -> dict[int, list[dict[str, Any]]]:
    by_criterion: dict[int, list[dict[str, Any]]] = {}
    for n, kinds in PARTS_BY_CRITERION.items():
        by_criterion[n] = [_part_context(version, kind, version.agenda.ecosystem_id) for kind in kinds]
    return by_criterion


@login_required
def version_diff(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    agenda = _agenda(request, slug)
    version = _version(request, agenda, number)
    previous = selectors.previous_version(version)
    return render(request, "agendas/diff.html", {
        "agenda": agenda, "version": version, "previous": previous,
        "blocks": selectors.version_diff(previous, version),
    })


@login_required
def review(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Staff review: checks, text and the diff with the previous version, plus the scoring form."""
    if not permissions.is_programme_team(request.user):
        raise PermissionDenied
    agenda = _agenda(request, slug)
    version = _version(request, agenda, number)
    if not version.frozen:
        raise Http404
    existing = {a.criterion: (a.score, a.feedback) for a in version.assessments.all()}
    form = AssessmentForm(request.POST or None, initial_scores=existing)
    if request.method == "POST" and form.is_valid():
        try:
            for n, (score, feedback) in form.scores().items():
                if existing.get(n) != (score, feedback):
                    services.criterion_assess(
                        version=version, actor=request.user, criterion=n, score=score, feedback=feedback
                    )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, "; ".join(exc.messages))
        else:
            messages.success(request, _("The assessment was saved."))
            return redirect("agendas:review", slug=slug, number=number)
    rows = selectors.criterion_rows(version)
    role = permissions.agenda_role(request.user, agenda.ecosystem_id)
    targets = [(t, workflow.TRANSITION_LABELS[t]) for t in workflow.targets_for(source=agenda.status, role=role)]
    previous = selectors.previous_version(version)
    return render(request, "agendas/review.html", {
        "agenda": agenda, "version": version, "rows": [
            (row, form[f"score_{row.number}"], form[f"feedback_{row.number}"]) for row in rows
        ], "form": form, "previous": previous, "blocks": selectors.version_diff(previous, version),
        "targets": targets, "can_score": version.status == Status.IN_REVIEW,
    })


@login_required
def comparison(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "ecosystem")
    rows = selectors.comparison_table(user=request.user, sort=sort)
    export = request.GET.get("format")
    if export in {"csv", "xlsx"}:
        header = [_("Ecosystem"), _("Status"), _("Version"), _("Total score")]
        for n in CRITERIA:
            header += [_("Criterion %(n)s check") % {"n": n}, _("Criterion %(n)s score") % {"n": n}]
        table = []
        for r in rows:
            line: list[Any] = [r.ecosystem.name, r.status_label, r.version.number if r.version else None, r.total_score]
            for c in r.criteria or []:
                line += [c.check.status_label, c.score]
            table.append(line)
        stamp = timezone.localdate().isoformat()
        if export == "csv":
            response = HttpResponse(excel.rows_to_csv(header, table), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                excel.rows_to_xlsx(header, table, title=_("RIEA comparison")),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="riea-vergelijking-{stamp}.{export}"'
        return response
    return render(request, "agendas/comparison.html", {"rows": rows, "criteria": CRITERIA, "sort": sort})


@login_required
def excel_template(request: HttpRequest, slug: str) -> HttpResponse:
    agenda = _agenda(request, slug)
    version = _draft_for_writing(request, agenda)
    content = excel.template_workbook(selectors.version_get(version_id=version.pk))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="riea-{agenda.ecosystem.slug}-sjabloon.xlsx"'
    return response


@login_required
def excel_import(request: HttpRequest, slug: str) -> HttpResponse:
    agenda = _agenda(request, slug)
    version = _draft_for_writing(request, agenda)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[excel.RowError] = []
    if request.method == "POST" and form.is_valid():
        parts, errors = excel.parse_workbook(form.cleaned_data["file"], ecosystem_id=agenda.ecosystem_id)
        if not errors:
            try:
                counts = services.parts_replace(version=version, actor=request.user, parts=parts)
            except (ApplicationError, ValidationError) as exc:
                errors = [excel.RowError("", 0, "", getattr(exc, "message", None) or "; ".join(exc.messages))]  # type: ignore[union-attr]
            else:
                messages.success(request, _("Imported %(n)s rows.") % {"n": sum(counts.values())})
                return redirect("agendas:detail", slug=slug)
    # A refused file (size, type, macros, zip bomb) is a form error: 422, nothing saved.
    refused = request.method == "POST" and bool(form.errors)
    return render(request, "agendas/import.html", {"agenda": agenda, "form": form, "errors": errors},
                  status=422 if errors or refused else 200)
