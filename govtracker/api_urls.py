"""/api/v1/: the REST API, its OpenAPI schema and its documentation.

Outside i18n_patterns: the API is not language-prefixed; messages follow the request's
Accept-Language header (LocaleMiddleware).
"""

from django.http import HttpResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from metrics.viewsets import IndicatorTargetViewSet, IndicatorViewSet, ObservationViewSet
from plans.viewsets import (
    JurisdictionViewSet,
    MilestoneViewSet,
    PlanViewSet,
    ProgressUpdateViewSet,
    ScorecardViewSet,
    SourceViewSet,
)

app_name = "api"

router = DefaultRouter()
router.register("jurisdictions", JurisdictionViewSet, basename="jurisdiction")
router.register("plans", PlanViewSet, basename="plan")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("updates", ProgressUpdateViewSet, basename="progressupdate")
router.register("sources", SourceViewSet, basename="source")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("observations", ObservationViewSet, basename="observation")
router.register("targets", IndicatorTargetViewSet, basename="indicatortarget")
router.register("scorecards", ScorecardViewSet, basename="scorecard")


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
@throttle_classes([])
def _not_found(request, *args, **kwargs):
    """Anything else under /api/ answers in JSON, like the API itself."""
    raise NotFound()


@csrf_exempt
def not_found(request, *args, **kwargs):
    # A plain view in front of DRF's: the browsable API's breadcrumbs list every prefix of
    # the path that resolves to a DRF view, and an unknown prefix would show as "Not
    # Found" in them. CSRF-exempt, as DRF's views are: a POST to an unknown path is a 404,
    # not a CSRF failure.
    return _not_found(request, *args, **kwargs)


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI. OPTIONS answers as Django's own views do, with the methods in Allow
    (added by DRF) and no body: DRF's answer, the view's metadata, would be rendered by
    the page's HTML renderer, which has no template for it (a 500)."""

    def options(self, request, *args, **kwargs):
        return HttpResponse(headers={"Content-Length": "0"})


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from our static files, its start-up script a file of its own (the
    # Content-Security-Policy allows no inline script). Not Redoc: its page loads Google
    # Fonts from a CDN.
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
    # Matches every path left, even one with a newline in it.
    re_path(r"", not_found),
]
