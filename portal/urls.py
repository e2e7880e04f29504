from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import health, two_factor_views, views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("livez", health.livez, name="livez"),
    path("", views.home, name="home"),
    path("inloggen/", auth_views.LoginView.as_view(template_name="portal/login.html"), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("tweestapsverificatie/", two_factor_views.setup, name="two-factor"),
    path("tweestapsverificatie/code/", two_factor_views.verify, name="two-factor-verify"),
    path("tweestapsverificatie/uitzetten/", two_factor_views.remove, name="two-factor-remove"),
    path("ecosystemen/<slug:slug>/bewerken/", views.ecosystem_edit, name="ecosystem-edit"),
    path("ecosystemen/", views.ecosystem_list, name="ecosystem-list"),
    path("ecosystemen/<slug:slug>/", views.ecosystem_detail, name="ecosystem-detail"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("kaart/grenzen.json", views.map_boundaries, name="map-boundaries"),
    path("kaart/regio/<str:code>/", views.region_panel, name="region-panel"),
    path("taken/<slug:kind>/<int:pk>/voortgang/", views.job_progress, name="job-progress"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script from /api/docs/?script (no inline <script>, for the CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="portal/swagger_ui.html"),
        name="api-docs",
    ),
    path("open-data/", include("portal.open_data_urls")),
    path("", include("initiatives.urls")),
    path("", include("agendas.urls")),
    path("", include("selection.urls")),
]

handler500 = "portal.errors.server_error"
