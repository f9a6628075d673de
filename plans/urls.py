from django.urls import path, register_converter

from plans import feeds, views


class CodeConverter:
    """An administrative-division code: letters and digits only, so that a stray
    character (a NUL, a quote) is a 404 before it reaches the database."""

    regex = "[A-Za-z0-9]{1,12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CodeConverter, "code")

app_name = "plans"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("methodology/", views.MethodologyView.as_view(), name="methodology"),
    path("plans/", views.PlanListView.as_view(), name="plan-list"),
    path("plans/<slug:slug>/", views.PlanDetailView.as_view(), name="plan-detail"),
    path("plans/<slug:slug>/updates/", views.PlanUpdatesView.as_view(), name="plan-updates"),
    path(
        "jurisdictions/<code:code>/",
        views.JurisdictionDetailView.as_view(),
        name="jurisdiction-detail",
    ),
    path("deadlines/", views.DeadlineIndexView.as_view(), name="deadline-index"),
    path("deadlines/<int:year>/", views.DeadlineYearView.as_view(), name="deadline-year"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("feeds/updates/", feeds.LatestUpdatesFeed(), name="feed-updates"),
    path("feeds/plans/<slug:slug>/", feeds.PlanUpdatesFeed(), name="feed-plan"),
    path(
        "feeds/jurisdictions/<code:code>/",
        feeds.JurisdictionUpdatesFeed(),
        name="feed-jurisdiction",
    ),
]
