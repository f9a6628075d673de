from django.urls import path

from plans import feeds, views

app_name = "plans"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("plans/", views.PlanListView.as_view(), name="plan-list"),
    path("plans/<slug:slug>/", views.PlanDetailView.as_view(), name="plan-detail"),
    path(
        "jurisdictions/<str:code>/",
        views.JurisdictionDetailView.as_view(),
        name="jurisdiction-detail",
    ),
    path("deadlines/", views.DeadlineIndexView.as_view(), name="deadline-index"),
    path("deadlines/<int:year>/", views.DeadlineYearView.as_view(), name="deadline-year"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("feeds/updates/", feeds.LatestUpdatesFeed(), name="feed-updates"),
    path("feeds/plans/<slug:slug>/", feeds.PlanUpdatesFeed(), name="feed-plan"),
    path(
        "feeds/jurisdictions/<str:code>/",
        feeds.JurisdictionUpdatesFeed(),
        name="feed-jurisdiction",
    ),
]
