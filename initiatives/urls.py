"""Browser URLs of the initiatives app (included at the site root by portal/urls.py)."""

from django.urls import path

from initiatives import views

app_name = "initiatives"
urlpatterns = [
    path("initiatieven/", views.initiative_list, name="list"),
    path("initiatieven/export.<str:fmt>", views.initiative_export, name="export"),
    path("initiatieven/nieuw/", views.initiative_create_view, name="create"),
    path("initiatieven/<int:pk>/", views.initiative_detail, name="detail"),
    path("initiatieven/<int:pk>/bewerken/", views.initiative_edit_view, name="edit"),
]
