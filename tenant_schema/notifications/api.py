"""Notification API: the signed-in user's own in-app notifications and their unread count.

Notifications are only ever read through `notification_list_for_user` and marked read
through `notification_mark_read`, both of which filter on the user: an id of someone
else's notification is silently not theirs to mark.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.filters import DjangoFilterBackend, SyncFilterSet, collection_filter
from saas.api.pagination import PageNumberPagination

from .models import Notification
from .selectors import notification_list_for_user, notification_unread_count
from .services import notification_mark_read

TAG = "notifications"


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "link", "read", "read_at", "created_at"]
        read_only_fields = fields

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class NotificationFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("Only unread ones.")
    )


class NotificationMarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=500,
        help_text=_("The notifications to mark read."),
    )
    all = serializers.BooleanField(
        required=False, default=False, help_text=_("Mark every notification read.")
    )

    def validate(self, attrs):
        if not attrs.get("all") and not attrs.get("ids"):
            raise serializers.ValidationError(
                {"ids": [_("Name the notifications to mark read, or send all: true.")]}
            )
        return attrs


class NotificationMarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("How many were unread and are now read."))
    unread_count = serializers.IntegerField()


class NotificationPagination(PageNumberPagination):
    """The usual page, plus the unread count the bell shows."""

    def get_paginated_response(self, data, *, unread_count: int = 0):
        response = super().get_paginated_response(data)
        response.data["unread_count"] = unread_count
        return response

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["unread_count"] = {"type": "integer", "example": 3}
        paginated["required"] = [*paginated.get("required", []), "unread_count"]
        return paginated


class NotificationSyncFilter(SyncFilterSet):
    class Meta:
        model = Notification
        fields: list[str] = []


class NotificationListApi(APIView):
    queryset = Notification.objects.none()  # the model, for the schema's filter parameters
    filter_backends = [DjangoFilterBackend]
    filterset_class = NotificationSyncFilter
    pagination_class = NotificationPagination

    @extend_schema(
        tags=[TAG],
        summary=_("My notifications"),
        description=_("Newest first, with the number still unread."),
        parameters=[NotificationFilterSerializer],
        responses=NotificationSerializer(many=True),
    )
    def get(self, request):
        filters = NotificationFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        notifications = notification_list_for_user(user=request.user)
        unread = filters.validated_data.get("unread")
        if unread is not None:
            notifications = notifications.filter(read_at__isnull=unread)
        notifications = collection_filter(view=self, queryset=notifications)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(notifications, request, view=self)
        return paginator.get_paginated_response(
            NotificationSerializer(page, many=True).data,
            unread_count=notification_unread_count(user=request.user),
        )


class NotificationMarkReadApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary=_("Mark notifications read"),
        description=_(
            "Send `ids` to mark those, or `all: true` for every one. Ids that are not yours are ignored."
        ),
        request=NotificationMarkReadSerializer,
        responses=NotificationMarkReadResultSerializer,
    )
    def post(self, request):
        serializer = NotificationMarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = None if serializer.validated_data.get("all") else serializer.validated_data["ids"]
        marked = notification_mark_read(user=request.user, notification_ids=ids)
        return Response({"marked": marked, "unread_count": notification_unread_count(user=request.user)})


urlpatterns = [
    path("notifications/", NotificationListApi.as_view(), name="notification-list"),
    path("notifications/read/", NotificationMarkReadApi.as_view(), name="notification-read"),
]
