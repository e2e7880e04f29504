"""Core pages: home per role, ecosystem profile editing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from initiatives import selectors as initiative_selectors
from initiatives.filters import InitiativeFilter
from portal import permissions, selectors
from portal.attention import attention_items
from portal.forms import EcosystemProfileForm
from portal.models import Ecosystem, Region
from portal.services import ecosystem_update
from portal.templatetags.portal_extras import localname


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict = {}
    if permissions.is_board(user):
        ecosystems = list(selectors.board_ecosystems(user=user))
        context["ecosystems"] = ecosystems
        context["initiatives"] = initiative_selectors.initiative_list(user=user).filter(
            ecosystem__in=ecosystems
        )[:50]
        template = "portal/home_board.html"
    elif permissions.is_rom(user):
        context["counts"] = selectors.national_counts()
        context["provinces"] = selectors.rom_provinces(user=user)
        template = "portal/home_rom.html"
    elif permissions.is_programme_team(user):
        context["counts"] = selectors.national_counts()
        template = "portal/home_staff.html"
    else:
        context.update(_map_context(
            request, permissions.initiatives_visible_to(user), Region.Kind.PROVINCE, version=selectors.data_version()
        ))
        context["ecosystems"] = selectors.ecosystem_list(user=user)
        context["public_count"] = permissions.initiatives_visible_to(user).count()
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


# --- dashboard, map, ecosystem pages -----------------------------------------------------------

MAP_FILTERS = ("theme", "priority", "stage", "type")


def _map_filterset(request: HttpRequest) -> InitiativeFilter:
    return InitiativeFilter(
        request.GET or None,
        queryset=permissions.initiatives_visible_to(request.user),
        only=MAP_FILTERS,
    )


def _filtered(filterset: InitiativeFilter):
    return filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset


def _level(request: HttpRequest) -> str:
    return Region.Kind.COROP if request.GET.get("level") == Region.Kind.COROP else Region.Kind.PROVINCE


def _cache_params(request: HttpRequest) -> str:
    keys = (*MAP_FILTERS, "level")
    return "&".join(f"{k}={v}" for k in keys for v in sorted(request.GET.getlist(k)))


def _cache_scope(user: Any) -> str:
    """Aggregates are shared by everyone who sees the same set of initiatives."""
    if permissions.is_programme_team(user):
        return "team"
    if not user.is_authenticated:
        return "public"
    return f"user:{user.pk}"


def _map_context(
    request: HttpRequest, initiatives: Any, level: str, version: str | None = None
) -> dict[str, Any]:
    def compute() -> dict[str, int]:
        return selectors.region_counts(initiatives=initiatives, level=level)

    if version is None:
        counts = compute()
    else:
        counts = selectors.cached_aggregate(
            name="region_counts", scope=_cache_scope(request.user), params=_cache_params(request) + level,
            version=version, compute=compute,
        )
    regions = selectors.map_regions(level=level)
    filters = request.GET.copy()
    filters.pop("level", None)
    return {
        "level": level,
        "map_rows": [{**r, "n": counts.get(r["code"], 0)} for r in regions],
        "map_config": {
            "boundaries": reverse("map-boundaries") + f"?level={level}",
            "counts": counts,
            "panel": reverse("region-panel", args=["CODE"]) + (f"?{filters.urlencode()}" if filters else ""),
            "label": _("initiatives"),
        },
        "filter_query": filters.urlencode(),
    }


def _theme_chart_config(chart: dict[str, Any]) -> dict[str, Any]:
    """A horizontal stacked bar chart: one bar per theme, one colour per landsdeel."""
    return {
        "type": "bar",
        "data": {
            "labels": [localname(row["theme"]) for row in chart["rows"]],
            "datasets": [
                {"label": name, "data": [row["counts"][i] for row in chart["rows"]]}
                for i, name in enumerate(chart["landsdelen"])
            ],
        },
        "options": {"indexAxis": "y", "scales": {"x": {"stacked": True}, "y": {"stacked": True}}},
    }


def dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.is_programme_team(request.user):
        raise PermissionDenied
    filterset = _map_filterset(request)
    initiatives = _filtered(filterset)
    # The national aggregates are cached per filter set until an initiative changes.
    version = selectors.data_version()
    cache_args = {"scope": _cache_scope(request.user), "params": _cache_params(request), "version": version}
    theme_chart = selectors.cached_aggregate(
        name="theme_landsdeel", compute=lambda: selectors.theme_landsdeel_counts(initiatives=initiatives), **cache_args
    )
    coverage = selectors.cached_aggregate(
        name="coverage", compute=lambda: selectors.coverage_matrix(initiatives=initiatives), **cache_args
    )
    context = {
        "filter": filterset,
        **_map_context(request, initiatives, _level(request), version=version),
        "theme_chart": theme_chart,
        "theme_chart_config": _theme_chart_config(theme_chart),
        "coverage": coverage,
        "attention": attention_items(user=request.user),
        # Unfiltered national figures: one cache entry for the whole team, same invalidation.
        "counts": selectors.cached_aggregate(
            name="national_totals", scope="team", params="", version=version, compute=selectors.national_totals
        ),
        "riea_status": _riea_status_rows(),
    }
    return render(request, "portal/dashboard.html", context)


def _riea_status_rows() -> list[dict]:
    """Every ecosystem with the workflow status of its agenda (RIEA), for the dashboard."""
    from agendas.selectors import agenda_status_by_ecosystem

    status = agenda_status_by_ecosystem()
    return [
        {"ecosystem": ecosystem, "status": status.get(ecosystem.id, {}).get("status", ""),
         "label": status.get(ecosystem.id, {}).get("status_label", "")}
        for ecosystem in Ecosystem.objects.order_by("name")
    ]


def map_boundaries(request: HttpRequest) -> JsonResponse:
    """Region boundaries as GeoJSON; public reference data, cached by the browser for a day."""
    codes = [c for c in request.GET.get("codes", "").split(",") if c][:100]
    data = selectors.region_boundaries(codes=codes) if codes else selectors.region_boundaries(level=_level(request))
    response = JsonResponse(data)
    response["Cache-Control"] = "public, max-age=86400"
    return response


def region_panel(request: HttpRequest, code: str) -> HttpResponse:
    """The map's side panel for one region: its ecosystems and (filtered) initiatives."""
    region = get_object_or_404(Region, code=code)
    filterset = _map_filterset(request)
    summary = selectors.region_summary(
        region=region, initiatives=_filtered(filterset).select_related("theme"), user=request.user
    )
    filters = request.GET.copy()
    filters["region"] = region.code
    template = "portal/_region_panel.html" if request.htmx else "portal/region_page.html"
    return render(request, template, {**summary, "overview_query": filters.urlencode()})


def ecosystem_list(request: HttpRequest) -> HttpResponse:
    ecosystems = selectors.ecosystem_list(user=request.user)
    return render(request, "portal/ecosystem_list.html", {"ecosystems": ecosystems})


def ecosystem_detail(request: HttpRequest, slug: str) -> HttpResponse:
    ecosystem = selectors.ecosystem_get(slug=slug, user=request.user)
    initiatives = initiative_selectors.initiative_list(user=request.user).filter(ecosystem=ecosystem)
    helix = selectors.ecosystem_helix(ecosystem=ecosystem)
    region_codes = [r.code for r in ecosystem.regions.all()]
    counts = selectors.ecosystem_region_counts(ecosystem=ecosystem, initiatives=initiatives)
    context = {
        "ecosystem": ecosystem,
        "helix": helix,
        "helix_chart_config": {
            "type": "doughnut",
            "data": {
                "labels": [str(role["label"]) for role in helix["roles"]],
                "datasets": [{"label": _("partners"), "data": [role["n"] for role in helix["roles"]]}],
            },
        },
        "can_edit": permissions.can_write(request.user, ecosystem),
        "initiative_count": initiatives.count(),
        "initiatives": initiatives.order_by("-updated_at", "-id")[:20],
        "map_rows": [{"code": r.code, "name": r.name, "n": counts.get(r.code, 0)} for r in ecosystem.regions.all()],
        "map_config": {
            "boundaries": reverse("map-boundaries") + "?codes=" + ",".join(region_codes),
            "counts": counts,
            "panel": None,
            "label": _("initiatives"),
        },
    }
    return render(request, "portal/ecosystem_detail.html", context)


@login_required
def job_progress(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The progress partial of one long job (polled by htmx); the loader checks permissions."""
    from django.http import Http404

    from portal.jobs import job_loader

    loader = job_loader(kind)
    if loader is None:
        raise Http404
    job = loader(request.user, pk)
    context = {"job": job, "kind": kind, "pk": pk, "url": request.path}
    return render(request, "portal/_job_progress.html", context)
