from django.urls import path

from portal.api import views, webhook_views

urlpatterns = [
    path("token/", views.TokenInfoApi.as_view(), name="api-token-info"),
    path("regions/", views.RegionListApi.as_view(), name="api-region-list"),
    path("regions.geojson", views.RegionGeoJsonApi.as_view(), {"format": "geojson"}, name="api-region-list-geojson"),
    path("organisations/", views.OrganisationListApi.as_view(), name="api-organisation-list"),
    path("ecosystems/", views.EcosystemListApi.as_view(), name="api-ecosystem-list"),
    path("priorities/", views.PriorityListApi.as_view(), name="api-priority-list"),
    path("themes/", views.ThemeListApi.as_view(), name="api-theme-list"),
    path("vision-windows/", views.VisionWindowListApi.as_view(), name="api-vision-window-list"),
    path("webhooks/", webhook_views.WebhookListCreateApi.as_view(), name="api-webhook-list"),
    path("webhooks/deliveries/", webhook_views.WebhookDeliveryListApi.as_view(), name="api-webhook-delivery-list"),
    path("webhooks/<int:endpoint_id>/", webhook_views.WebhookDetailApi.as_view(), name="api-webhook-detail"),
    path("webhooks/<int:endpoint_id>/ping/", webhook_views.WebhookPingApi.as_view(), name="api-webhook-ping"),
]
