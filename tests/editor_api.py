"""A tiny test-only write API wired like the real one should be (plans/permissions.py):
`IsEditorForObjectJurisdiction` plus `EditorScopedWriteMixin` on ModelViewSets."""

from django.urls import include, path
from rest_framework import routers, serializers, viewsets

from metrics.models import Observation
from plans.models import Milestone, Plan, ProgressUpdate
from plans.permissions import EditorScopedWriteMixin, IsEditorForObjectJurisdiction


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "slug", "title", "jurisdiction", "issuing_body", "kind", "issued_on",
                  "start_year", "end_year"]  # fmt: skip


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "plan", "statement", "start_date", "deadline", "kind"]


class ProgressUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressUpdate
        fields = ["id", "milestone", "as_of", "percent_complete", "sources", "published_on"]


class ObservationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Observation
        fields = ["id", "indicator", "jurisdiction", "as_of", "value", "source"]


def viewset(model, serializer):
    return type(
        f"{model.__name__}ViewSet",
        (EditorScopedWriteMixin, viewsets.ModelViewSet),
        {
            "queryset": model.objects.all(),
            "serializer_class": serializer,
            "permission_classes": [IsEditorForObjectJurisdiction],
        },
    )


class PublishedUpdatesViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProgressUpdateSerializer
    pagination_class = None  # a bare list, whatever REST_FRAMEWORK's default pagination

    def get_queryset(self):
        return ProgressUpdate.objects.visible_to(self.request.user)


router = routers.SimpleRouter()
router.register("plans", viewset(Plan, PlanSerializer))
router.register("milestones", viewset(Milestone, MilestoneSerializer))
router.register("updates", viewset(ProgressUpdate, ProgressUpdateSerializer))
router.register("observations", viewset(Observation, ObservationSerializer))
router.register("visible-updates", PublishedUpdatesViewSet, basename="visible-updates")

urlpatterns = [path("api/", include(router.urls))]
