from django.urls import path

from initiatives.api import overlap_views, views

urlpatterns = [
    path("initiatives/", views.InitiativeListCreateApi.as_view(), name="api-initiative-list"),
    path("initiatives/bulk/", views.InitiativeBulkUpsertApi.as_view(), name="api-initiative-bulk"),
    path("initiatives/external/<str:external_id>/", views.InitiativeUpsertApi.as_view(), name="api-initiative-upsert"),
    path("initiatives/<int:initiative_id>/", views.InitiativeDetailApi.as_view(), name="api-initiative-detail"),
    path("overlaps/", overlap_views.OverlapListApi.as_view(), name="api-overlap-list"),
]
