"""Browser URLs of the initiatives app (included at the site root by portal/urls.py)."""

from django.urls import path

from initiatives import overlap_views, views

app_name = "initiatives"
urlpatterns = [
    path("overlap/", overlap_views.overlap_queue, name="overlap-queue"),
    path("overlap/run/", overlap_views.overlap_run_start, name="overlap-run-start"),
    path("overlap/<int:pk>/", overlap_views.overlap_action, name="overlap-action"),
    path("overlap/<int:pk>/vergelijken/", overlap_views.overlap_compare, name="overlap-compare"),
    path("overlap/bestuur/", overlap_views.overlap_board, name="overlap-board"),
    path("overlap/koppelingen/voorstellen/", overlap_views.overlap_link_propose, name="overlap-link-propose"),
    path("overlap/koppelingen/<int:pk>/antwoorden/", overlap_views.overlap_link_answer, name="overlap-link-answer"),
    path("overlap/netwerk/", overlap_views.overlap_network, name="overlap-network"),
    path("overlap/netwerk/data/", overlap_views.overlap_network_data, name="overlap-network-data"),
    path("initiatieven/", views.initiative_list, name="list"),
    path("initiatieven/export.<str:fmt>", views.initiative_export, name="export"),
    path("initiatieven/nieuw/", views.initiative_create_view, name="create"),
    path("initiatieven/<int:pk>/", views.initiative_detail, name="detail"),
    path("initiatieven/<int:pk>/bewerken/", views.initiative_edit_view, name="edit"),
]
