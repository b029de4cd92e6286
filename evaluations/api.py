"""REST endpoints. Every queryset is scoped to the caller in get_queryset()."""

from django.db.models import Prefetch
from rest_framework import viewsets

from .models import Evaluation, Indicator
from .serializers import EvaluationDetailSerializer, EvaluationListSerializer


class EvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    """Evaluations the caller coordinates, with their hierarchy, grades and subjects."""

    def get_queryset(self):
        queryset = Evaluation.objects.filter(owner=self.request.user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("indicators", queryset=Indicator.objects.select_related("parent")),
                "grades",
                "subjects",
            )
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return EvaluationDetailSerializer
        return EvaluationListSerializer
