"""Browser URLs of the initiatives app (included at the site root by portal/urls.py)."""

from django.urls import path

from initiatives import overlap_views, views

app_name = "initiatives"
urlpatterns = [
    path("overlap/", overlap_views.overlap_queue, name="overlap-queue"),
    path("overlap/run/", overlap_views.overlap_run_start, name="overlap-run-start"),
    path("overlap/<int:pk>/", overlap_views.overlap_action, name="overlap-action"),
    path("initiatieven/", views.initiative_list, name="list"),
    path("initiatieven/export.<str:fmt>", views.initiative_export, name="export"),
    path("initiatieven/nieuw/", views.initiative_create_view, name="create"),
    path("initiatieven/<int:pk>/", views.initiative_detail, name="detail"),
    path("initiatieven/<int:pk>/bewerken/", views.initiative_edit_view, name="edit"),
]
