"""Browser URLs of the initiatives app (included at the site root by portal/urls.py)."""

from django.urls import path

from initiatives import views

app_name = "initiatives"
urlpatterns: list = [
    path("overlap/", views.overlap_queue, name="overlap-queue"),
    path("overlap/run/", views.overlap_run_start, name="overlap-run-start"),
    path("overlap/<int:pk>/", views.overlap_action, name="overlap-action"),
]
