from django.urls import path

from selection.api import views

urlpatterns = [
    path("decisions/", views.DecisionListApi.as_view(), name="api-decision-list"),
]
