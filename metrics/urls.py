from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("", views.IndicatorListView.as_view(), name="indicator-list"),
    path("<slug:slug>/", views.IndicatorDetailView.as_view(), name="indicator-detail"),
]
