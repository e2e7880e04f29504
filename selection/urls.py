"""Browser URLs of the selection app (included at the site root by portal/urls.py)."""

from django.urls import path

from selection import views

app_name = "selection"
urlpatterns = [
    path("selectie/", views.round_list, name="rounds"),
    path("selectie/rondes/nieuw/", views.round_create, name="round-create"),
    path("selectie/rondes/<int:pk>/", views.round_detail, name="round-detail"),
    path("selectie/rondes/<int:pk>/status/", views.round_status, name="round-status"),
    path("selectie/rondes/<int:pk>/beoordelaars/", views.round_assign, name="round-assign"),
    path("selectie/rondes/<int:pk>/scoren/", views.round_score, name="round-score"),
    path("selectie/rondes/<int:pk>/voortgang/", views.round_progress, name="round-progress"),
    path("selectie/rondes/<int:pk>/werklijst/", views.worklist, name="worklist"),
    path("selectie/rondes/<int:pk>/initiatieven/<int:initiative_pk>/beoordelen/", views.assess, name="assess"),
    path("selectie/rondes/<int:pk>/initiatieven/<int:initiative_pk>/belangenconflict/", views.conflict, name="conflict"),
    path("selectie/rondes/<int:pk>/initiatieven/<int:initiative_pk>/besluit/", views.decide, name="decide"),
    path("selectie/rondes/<int:pk>/ranglijst/", views.ranking, name="ranking"),
    path("selectie/rondes/<int:pk>/ranglijst.<str:fmt>", views.ranking_export, name="ranking-export"),
    path("selectie/besluiten/", views.board_decisions, name="board-decisions"),
]
