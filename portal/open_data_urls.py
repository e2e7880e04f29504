"""/open-data/: public downloads, no token (the advice's landelijk open platform)."""

from django.urls import path

from portal import open_data_views as views

urlpatterns = [
    path("catalog.jsonld", views.open_data_catalogue, name="open-data-catalogue"),
    path("data-dictionary.json", views.open_data_dictionary, name="open-data-dictionary"),
    path("<str:dataset>.<str:fmt>", views.open_data_file, name="open-data-file"),
]
