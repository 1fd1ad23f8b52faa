"""HTTP side of notifications (API.md): the caller's inbox and the follow-up queue."""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, renderers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import selectors, services
from notifications.exports import follow_up_csv
from notifications.filters import NotificationFilter, QueueFilter
from notifications.models import Notification
from register.api.filtering import check_boolean_filters
from register.api.pagination import PageNumberPagination
from register.api.permissions import HasCapability
from register.api.placements import VisitSerializer
from register.api.renderers import JSONRenderer


class NotificationSerializer(serializers.ModelSerializer):
    visit = serializers.UUIDField(source="reminder.visit_id", allow_null=True, read_only=True)
    placement = serializers.SerializerMethodField()
    carer = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "visit",
            "placement",
            "carer",
            "status",
            "channel",
            "created_at",
            "sent_at",
            "read_at",
            "message",
        ]

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_placement(self, note):
        visit = note.reminder.visit
        return str(visit.placement_id) if visit else None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_carer(self, note):
        visit = note.reminder.visit
        carer_id = visit.placement.carer_id if visit else note.reminder.carer_id
        return str(carer_id) if carer_id else None

    def get_message(self, note) -> str:
        return services.message(note.reminder, note.recipient.preferred_language)


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter

    # A notification's id is a UUID: anything else names no notification (404, not a 400 from the query).
    lookup_value_regex = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Notification.objects.none()
        return selectors.inbox(user=self.request.user).select_related(
            "recipient", "reminder__visit__placement__carer", "reminder__carer"
        )

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        note = get_object_or_404(self.get_queryset(), pk=pk)
        services.notification_mark_read(user=request.user, notification=note)
        return Response(self.get_serializer(note).data)


class QueueItemSerializer(VisitSerializer):
    priority = serializers.SerializerMethodField()
    delivery_failed = serializers.BooleanField(read_only=True)
    district = serializers.CharField(source="placement.carer.district_id", read_only=True)

    @extend_schema_field(serializers.ChoiceField(choices=selectors.PRIORITIES))
    def get_priority(self, visit) -> str:
        return selectors.Priority(visit.priority).code

    def to_representation(self, visit):
        # VisitSerializer writes its own fields out directly (a fast path that knows nothing of
        # subclasses): add the queue's fields to its row.
        row = super().to_representation(visit)
        for name in ("priority", "delivery_failed", "district"):
            field = self.fields[name]
            row[name] = field.to_representation(field.get_attribute(visit))
        return row


class QueueCountsSerializer(serializers.Serializer):
    overdue = serializers.IntegerField()
    due_today = serializers.IntegerField()
    due_this_week = serializers.IntegerField()
    escalated = serializers.IntegerField()
    urgent = serializers.IntegerField()
    urgent_unacknowledged = serializers.IntegerField()
    delivery_failed = serializers.IntegerField()


class QueuePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = QueueItemSerializer(many=True)
    counts = QueueCountsSerializer()


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes | str) else b""


class FollowUpQueueView(APIView):
    permission_classes = [HasCapability.for_("followup.read")]
    renderer_classes = [JSONRenderer, CSVRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        # A refusal (403, 400) is the API's JSON error even when the spreadsheet was asked for: the
        # CSV renderer has nothing to say about it.
        if response.status_code >= 400 and getattr(request, "accepted_renderer", None) is not None:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = request.accepted_renderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["json", "csv"], description="csv: a spreadsheet export")],
        responses={
            (200, "application/json"): QueuePageSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The queue as a spreadsheet."),
        },
    )
    def get(self, request):
        queryset = selectors.follow_up_queue(user=request.user).select_related("placement__carer")
        filterset = QueueFilter(request.query_params, queryset=queryset, request=request)
        check_boolean_filters(filterset)
        queryset = filterset.qs
        if request.accepted_renderer.format == "csv":
            response = Response(follow_up_csv(queryset), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="follow-up-queue.csv"'
            return response
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        body = paginator.get_paginated_response(QueueItemSerializer(page, many=True).data).data
        body["counts"] = selectors.follow_up_counts(queryset)
        return Response(body)


urlpatterns = [path("follow-up-queue/", FollowUpQueueView.as_view(), name="follow-up-queue")]


def register_routes(router) -> None:
    router.register("notifications", NotificationViewSet, basename="notification")
