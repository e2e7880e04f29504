from django.urls import path

from agendas.api import views

urlpatterns = [
    path("agendas/", views.AdoptedAgendaListApi.as_view(), name="api-agenda-list"),
    path("agendas/<slug:slug>/", views.AdoptedAgendaDetailApi.as_view(), name="api-agenda-detail"),
]
