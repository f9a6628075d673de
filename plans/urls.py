from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("methodology/", views.MethodologyView.as_view(), name="methodology"),
    path("plans/<slug:slug>/", views.PlanDetailView.as_view(), name="plan-detail"),
    path(
        "jurisdictions/<str:code>/",
        views.JurisdictionDetailView.as_view(),
        name="jurisdiction-detail",
    ),
]
