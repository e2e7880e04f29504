"""Browser URLs of the agendas app (included at the site root by portal/urls.py)."""

from django.urls import path

from agendas import views

app_name = "agendas"
urlpatterns = [
    path("agendas/", views.index, name="index"),
    path("agendas/vergelijking/", views.comparison, name="comparison"),
    path("agendas/<slug:slug>/", views.detail, name="detail"),
    path("agendas/<slug:slug>/starten/", views.create, name="create"),
    path("agendas/<slug:slug>/bewerken/<int:criterion>/", views.edit, name="edit"),
    path("agendas/<slug:slug>/onderdelen/<str:kind>/toevoegen/", views.part_add, name="part-add"),
    path("agendas/<slug:slug>/onderdelen/<str:kind>/<int:pk>/verwijderen/", views.part_remove, name="part-remove"),
    path("agendas/<slug:slug>/controle/", views.checklist, name="checklist"),
    path("agendas/<slug:slug>/status/", views.transition, name="transition"),
    path("agendas/<slug:slug>/excel/", views.excel_template, name="excel-template"),
    path("agendas/<slug:slug>/excel/importeren/", views.excel_import, name="excel-import"),
    path("agendas/<slug:slug>/versies/<int:number>/", views.version_detail, name="version"),
    path("agendas/<slug:slug>/versies/<int:number>/verschil/", views.version_diff, name="diff"),
    path("agendas/<slug:slug>/versies/<int:number>/beoordelen/", views.review, name="review"),
]
