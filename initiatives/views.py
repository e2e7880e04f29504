"""Browser pages for initiatives: the overview (also public), exports, detail, the board's forms.

Everything is scoped by portal.permissions: anonymous visitors see exactly the open platform's
set (published, not draft); internal fields are shown only to the programme team and to users who
may edit the initiative.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from initiatives import exports, selectors
from initiatives.filters import InitiativeFilter
from initiatives.forms import InitiativeForm
from initiatives.models import Initiative
from initiatives.services import initiative_create, initiative_update
from portal import permissions
from portal.models import Ecosystem

PAGE_SIZE = 50


def _filterset(request: HttpRequest) -> InitiativeFilter:
    user = request.user
    filterset = InitiativeFilter(
        request.GET or None,
        queryset=selectors.initiative_list(user=user),
        ecosystems=permissions.ecosystems_visible_to(user).order_by("name"),
    )
    if not user.is_authenticated:
        # The open platform shows only active-or-finished published work; status is not a filter there.
        del filterset.filters["status"]
        filterset.form.fields.pop("status", None)
    return filterset


def initiative_list(request: HttpRequest) -> HttpResponse:
    filterset = _filterset(request)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    context = {
        "filter": filterset,
        "page_obj": page,
        "internal": permissions.is_programme_team(user),
        "can_create": bool(permissions.is_admin(user) or permissions.board_ecosystem_ids(user)),
        "query_string": request.GET.urlencode(),
    }
    return render(request, "initiatives/initiative_list.html", context)


def initiative_export(request: HttpRequest, fmt: str) -> HttpResponse:
    filterset = _filterset(request)
    if filterset.is_bound and not filterset.is_valid():
        return render(request, "initiatives/initiative_list.html", {
            "filter": filterset, "page_obj": None, "internal": False, "can_create": False,
        }, status=400)
    queryset = filterset.qs if filterset.is_bound else filterset.queryset
    rows = exports.export_rows(queryset, internal=permissions.is_programme_team(request.user))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response: HttpResponse = StreamingHttpResponse(exports.csv_stream(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="initiatieven-{stamp}.csv"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(
            exports.xlsx_bytes(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="initiatieven-{stamp}.xlsx"'
        return response
    raise Http404


def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = selectors.initiative_get(pk=pk, user=request.user)
    user = request.user
    can_edit = permissions.can_write(user, initiative)
    internal = can_edit or permissions.is_programme_team(user)
    context: dict[str, Any] = {
        "initiative": initiative,
        "can_edit": can_edit,
        "internal": internal,
        "funding_total": sum((line.amount for line in initiative.funding_lines.all()), start=0),
        "history": _history_rows(initiative) if internal else [],
    }
    return render(request, "initiatives/initiative_detail.html", context)


VERBS = {
    "initiative.created": _lazy("registered the initiative"),
    "initiative.updated": _lazy("changed"),
    "initiative.funding_line_added": _lazy("added a funding line"),
}


def _history_rows(initiative: Initiative) -> list[dict[str, Any]]:
    """The last 50 changes, with field labels instead of field names."""
    labels = {f.name: f.verbose_name for f in Initiative._meta.get_fields() if hasattr(f, "verbose_name")}
    rows = []
    for activity in selectors.initiative_history(initiative=initiative)[:50]:
        changes = [
            {"field": labels.get(name, name.replace("_", " ")), "old": _show(old), "new": _show(new)}
            for name, (old, new) in sorted(activity.changes.items())
        ]
        rows.append({
            "when": activity.created_at,
            "actor": activity.actor,
            "verb": VERBS.get(activity.verb, activity.verb),
            "changes": changes,
            "note": activity.note,
        })
    return rows


def _show(value: Any) -> str:
    if value in (None, "", []):
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _writable_ecosystems(user: Any) -> QuerySet[Ecosystem]:
    if permissions.is_admin(user):
        return Ecosystem.objects.order_by("name")
    return Ecosystem.objects.filter(id__in=permissions.board_ecosystem_ids(user)).order_by("name")


def _add_errors(form: InitiativeForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the matching form fields (the rest on top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _render_form(request: HttpRequest, form: InitiativeForm, initiative: Initiative | None) -> HttpResponse:
    form.set_aria()
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "initiatives/initiative_form.html", {"form": form, "initiative": initiative}, status=status)


@login_required
def initiative_create_view(request: HttpRequest) -> HttpResponse:
    ecosystems = _writable_ecosystems(request.user)
    if not ecosystems.exists():
        raise PermissionDenied
    initial = {"ecosystem": ecosystems.first()} if ecosystems.count() == 1 else {}
    form = InitiativeForm(request.POST or None, ecosystems=ecosystems, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            initiative = initiative_create(actor=request.user, data=data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The initiative was registered."))
            return redirect("initiatives:detail", pk=initiative.pk)
    return _render_form(request, form, None)


@login_required
def initiative_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = selectors.initiative_get(pk=pk, user=request.user)
    permissions.access_write(request.user, initiative)
    # The form edits a separate copy: model_update compares the stored values with the new ones.
    form = InitiativeForm(
        request.POST or None,
        instance=Initiative.objects.get(pk=initiative.pk),
        ecosystems=_writable_ecosystems(request.user),
    )
    if request.method == "POST" and form.is_valid() and not form.has_changed():
        # initiative_update would still record "updated_by"; an unchanged form records nothing.
        messages.info(request, _("Nothing was changed."))
        return redirect("initiatives:detail", pk=initiative.pk)
    if request.method == "POST" and form.is_valid():
        try:
            changes = initiative_update(initiative=initiative, actor=request.user, data=dict(form.cleaned_data))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if changes:
                messages.success(request, _("The initiative was saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("initiatives:detail", pk=initiative.pk)
    return _render_form(request, form, initiative)
