"""Application API: an enterprise's applications, reviewers' queues, workflow actions, the
timeline, attachments, and the public notice (公示) with its objections.

Every application is fetched through `application_get_for_user` (and every attachment
through `attachment_get_for_user`), so another enterprise's id — or another park's — is
the same 404 as one that does not exist. Only then is the request checked:

- editing a draft and its documents is for the enterprise's own people (403 for others);
- a workflow action is checked by the one transition service. A move the state does not
  allow, or one that belongs to another role or stage (a reviewer approving at 专家评审,
  an enterprise advancing its own file), is a **409** whose `message` says why and whose
  `code` is `transition_refused`; a missing reason or amount is a 400 on that field.
  We chose 409 over 403 for the role case because the same person may take the same
  action at another stage: it is the application's state, not the person, that refuses.
"""

from django.db import transaction
from django.http import Http404
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from saas.api.filters import DjangoFilterBackend, SyncFilterSet, collection_filter
from saas.api.schema import ErrorSerializer
from saas.ratelimits import limit_posts
from tenant_schema.enterprises.selectors import enterprise_of_user, user_is_park_staff

from . import workflow as wf
from .attachments import attachment_add, attachment_remove, attachment_response
from .models import Application
from .selectors import (
    application_get_for_user,
    application_list_for_user,
    application_queue,
    application_search,
    application_timeline,
    attachment_get_for_user,
    public_notice_get,
    public_notice_list,
)
from .serializers import (
    ApplicationActionSerializer,
    ApplicationAttachmentSerializer,
    ApplicationAttachmentUploadSerializer,
    ApplicationCreateSerializer,
    ApplicationDetailOutputSerializer,
    ApplicationFilterSerializer,
    ApplicationOutputSerializer,
    ApplicationTimelineSerializer,
    ApplicationUpdateSerializer,
    PublicNoticeObjectionReceiptSerializer,
    PublicNoticeObjectionSerializer,
    PublicNoticeSerializer,
)
from .services import application_create, application_transition, application_update, objection_file

TAG = "applications"
NOTICE_TAG = "public notice"
NOT_FOUND = OpenApiResponse(description=_("No such application, or not one you may see."))
REFUSED = OpenApiResponse(
    response=ErrorSerializer,
    description=_(
        "The workflow refuses this move now, or it belongs to another role or stage; `message` says why."
    ),
    examples=[
        OpenApiExample(
            "wrong stage",
            value={
                "code": "transition_refused",
                "message": "You cannot take this step at this stage: it belongs to another role or person.",
                "fields": {},
            },
        ),
        OpenApiExample(
            "moved on since it was read",
            value={
                "code": "stale_action",
                "message": "This application has moved on to “In review · 初审” since the page you acted from was "
                "shown; reload to see it.",
                "fields": {},
            },
        ),
    ],
)
BAD_REQUEST = OpenApiResponse(
    description=_("A field is missing or wrong (a reason, an amount, a file); errors by field.")
)


def _is_owner(user, application: Application) -> bool:
    enterprise = enterprise_of_user(user=user)
    return enterprise is not None and enterprise.pk == application.enterprise_id


class IsOwnerOrReadOnly(BasePermission):
    """Whoever may see an application may read it and its documents; only the enterprise's own
    people change a draft or its documents. Park staff act through the workflow actions."""

    message = _("Only the enterprise's own people can change its application or its documents.")

    def has_object_permission(self, request, view, application):
        return request.method in SAFE_METHODS or _is_owner(request.user, application)


def _detail(application: Application, request) -> dict:
    # The moves this user may take now: the workflow's own check, the one the service applies.
    context = {"actions": wf.APPLICATION_WORKFLOW.actions_for(request.user, application)}
    return ApplicationDetailOutputSerializer(application, context=context).data


class _OneApplicationApi(APIView):
    """Fetch through the scoped selector (404), then check what the user may do with it (403)."""

    permission_classes = [IsAuthenticated, IsOwnerOrReadOnly]

    def get_application(self, pk: int) -> Application:
        application = application_get_for_user(user=self.request.user, pk=pk)
        self.check_object_permissions(self.request, application)
        return application

    def reloaded(self, pk: int) -> Application:
        return application_get_for_user(user=self.request.user, pk=pk)


class ApplicationSyncFilter(SyncFilterSet):
    class Meta:
        model = Application
        fields: list[str] = []


class ApplicationListCreateApi(APIView):
    queryset = Application.objects.none()  # the model, for the schema's filter parameters
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApplicationSyncFilter
    permission_classes = [IsAuthenticated]
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema(
        tags=[TAG],
        summary=_("List applications"),
        description=_(
            "An enterprise sees its own applications; park staff see every application of the park and may "
            "filter by status and programme, or ask for their work queue (`queue`)."
        ),
        parameters=[ApplicationFilterSerializer],
        responses=ApplicationOutputSerializer(many=True),
    )
    def get(self, request):
        filters = ApplicationFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        criteria = filters.validated_data
        if criteria.get("queue"):
            applications = application_queue(user=request.user, view=criteria["queue"])
        else:
            applications = application_list_for_user(user=request.user)
        applications = application_search(
            queryset=applications,
            search=criteria.get("search", ""),
            status=criteria.get("status", ""),
            programme=criteria.get("programme"),
        )
        applications = collection_filter(view=self, queryset=applications)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(applications, request, view=self)
        return paginator.get_paginated_response(ApplicationOutputSerializer(page, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Start an application (a draft)"),
        description=_(
            "An enterprise's own people only, for a programme open now; one live application per programme. "
            "Attach the documents, then submit it with the `submit` action."
        ),
        request=ApplicationCreateSerializer,
        responses={201: ApplicationDetailOutputSerializer, 400: BAD_REQUEST},
    )
    def post(self, request):
        enterprise = enterprise_of_user(user=request.user)
        if enterprise is None:
            raise PermissionDenied(gettext("Only an enterprise's own people can apply."))
        serializer = ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            application = application_create(
                programme_id=data["programme"],
                enterprise=enterprise,
                applicant=request.user,
                requested_amount=data["requested_amount"],
                answers=data.get("answers") or {},
            )
        except Http404:
            raise ValidationError(
                {"programme": [gettext("This programme is not open for applications.")]}
            ) from None
        application = application_get_for_user(user=request.user, pk=application.pk)
        return Response(_detail(application, request), status=status.HTTP_201_CREATED)


class ApplicationDetailApi(_OneApplicationApi):
    @extend_schema(
        tags=[TAG],
        summary=_("One application"),
        responses={200: ApplicationDetailOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        return Response(_detail(self.get_application(pk), request))

    @extend_schema(
        tags=[TAG],
        summary=_("Edit a draft or returned application"),
        description=_("The enterprise's own people, while it is a draft or returned for revision."),
        request=ApplicationUpdateSerializer,
        responses={200: ApplicationDetailOutputSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def patch(self, request, pk: int):
        application = self.get_application(pk)
        serializer = ApplicationUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        application_update(application=application, actor=request.user, **serializer.validated_data)
        return Response(_detail(self.reloaded(pk), request))


class ApplicationActionApi(_OneApplicationApi):
    permission_classes = [IsAuthenticated]  # who may act is the workflow's call (409 with the reason)

    @extend_schema(
        tags=[TAG],
        summary=_("Take a workflow action"),
        description=_(
            "submit / withdraw: the enterprise. advance / return / approve / reject / disburse: park staff "
            "holding the current stage's role. `return` and `reject` need a `comment` (the reason the enterprise "
            "reads); `approve` needs an `amount`. A move the state does not allow, or one that belongs to "
            "another role or stage, is a 409 whose `message` says why. Send `expected_status` and `expected_stage` "
            "(the state you read): when the application has moved on since (a double-click, a retry), the action "
            "is a 409 with `code` `stale_action` rather than a second move. Without them the action is still "
            "taken under the row lock and checked against the workflow, but a repeated advance is not detected."
        ),
        parameters=[
            OpenApiParameter(
                "action",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=list(wf.APPLICATION_WORKFLOW.transitions),
            )
        ],
        request=ApplicationActionSerializer,
        responses={200: ApplicationDetailOutputSerializer, 400: BAD_REQUEST, 404: NOT_FOUND, 409: REFUSED},
    )
    def post(self, request, pk: int, action: str):
        application = self.get_application(pk)
        if action not in wf.APPLICATION_WORKFLOW.transitions:
            raise Http404("No such action")
        serializer = ApplicationActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        to_fix = {"fields": fields.pop("to_fix_fields", []), "documents": fields.pop("to_fix_documents", [])}
        with transaction.atomic():  # the return and what it points at, together
            application = application_transition(
                application_id=application.pk, action=action, actor=request.user, **fields
            )
            if action == wf.RETURN:
                from tenant_schema.programme_forms.services import filed_form_mark_to_fix

                filed_form_mark_to_fix(application=application, **to_fix)
        return Response(_detail(self.reloaded(pk), request))


class ApplicationTimelineApi(_OneApplicationApi):
    @extend_schema(
        tags=[TAG],
        summary=_("The application's timeline"),
        description=_(
            "Every stage with entered, due and done times, the office holding it, public comments, working days "
            "left (negative when overdue), and the reason when returned or rejected. Park staff also see internal "
            "steps and who took each one."
        ),
        responses={200: ApplicationTimelineSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        application = self.get_application(pk)
        staff = user_is_park_staff(request.user)
        timeline = application_timeline(application=application, include_internal=staff)
        return Response(ApplicationTimelineSerializer(timeline, context={"staff": staff}).data)


class AttachmentListCreateApi(_OneApplicationApi):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=[TAG],
        summary=_("The application's documents"),
        responses={200: ApplicationAttachmentSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        application = self.get_application(pk)
        return Response(ApplicationAttachmentSerializer(application.attachments.all(), many=True).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Upload a document"),
        description=_(
            "Multipart upload by the enterprise's own people while the application is a draft or returned. "
            "The file is checked by its content, not its name: a renamed text file is a 400 on `file`."
        ),
        request={"multipart/form-data": ApplicationAttachmentUploadSerializer},
        responses={201: ApplicationAttachmentSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        application = self.get_application(pk)
        serializer = ApplicationAttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = attachment_add(
            application=application,
            actor=request.user,
            upload=serializer.validated_data["file"],
            document=serializer.validated_data["document"],
        )
        return Response(ApplicationAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentDetailApi(_OneApplicationApi):
    @extend_schema(
        tags=[TAG],
        summary=_("Download a document"),
        description=_("The file itself, only for those who may see the application."),
        responses={
            (200, "application/octet-stream"): OpenApiResponse(response=OpenApiTypes.BINARY),
            404: NOT_FOUND,
        },
    )
    def get(self, request, pk: int, attachment_pk: int):
        attachment = attachment_get_for_user(
            user=request.user, application_pk=pk, attachment_pk=attachment_pk
        )
        return attachment_response(attachment=attachment)

    @extend_schema(
        tags=[TAG],
        summary=_("Remove a document"),
        description=_("The enterprise's own people, while the application is a draft or returned."),
        responses={204: None, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def delete(self, request, pk: int, attachment_pk: int):
        attachment = attachment_get_for_user(
            user=request.user, application_pk=pk, attachment_pk=attachment_pk
        )
        self.check_object_permissions(request, attachment.application)
        attachment_remove(attachment=attachment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PublicNoticeApi(APIView):
    """Anyone, signed in or not: the awards on public notice (公示) in this park now."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema(
        tags=[NOTICE_TAG],
        summary=_("Awards on public notice"),
        description=_(
            "Open to anyone: programme, enterprise name, awarded amount and the notice period. No other field of "
            "the application is published."
        ),
        auth=[],
        responses=PublicNoticeSerializer(many=True),
    )
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(public_notice_list(), request, view=self)
        return paginator.get_paginated_response(PublicNoticeSerializer(page, many=True).data)


class ObjectionCreateApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=[NOTICE_TAG],
        summary=_("Object to an award on public notice"),
        description=_(
            "Open to anyone during the notice period; the objection is recorded against the application for the "
            "park to answer. After the period it is a 400 that says so; an application never on notice is a 404."
        ),
        auth=[],
        request=PublicNoticeObjectionSerializer,
        responses={
            201: PublicNoticeObjectionReceiptSerializer,
            400: BAD_REQUEST,
            404: OpenApiResponse(description=_("No award on public notice with this id.")),
            429: OpenApiResponse(description=_("Too many objections from this address in the last hour.")),
        },
    )
    @method_decorator(limit_posts("objection"))
    def post(self, request, application_pk: int):
        application = public_notice_get(pk=application_pk)
        serializer = PublicNoticeObjectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        objection = objection_file(application=application, **serializer.validated_data)
        return Response(
            PublicNoticeObjectionReceiptSerializer(objection).data, status=status.HTTP_201_CREATED
        )


urlpatterns = [
    path("applications/", ApplicationListCreateApi.as_view(), name="application-list"),
    path("applications/<int:pk>/", ApplicationDetailApi.as_view(), name="application-detail"),
    path(
        "applications/<int:pk>/actions/<str:action>/",
        ApplicationActionApi.as_view(),
        name="application-action",
    ),
    path("applications/<int:pk>/timeline/", ApplicationTimelineApi.as_view(), name="application-timeline"),
    path(
        "applications/<int:pk>/attachments/",
        AttachmentListCreateApi.as_view(),
        name="application-attachments",
    ),
    path(
        "applications/<int:pk>/attachments/<int:attachment_pk>/",
        AttachmentDetailApi.as_view(),
        name="application-attachment",
    ),
    path("notice/", PublicNoticeApi.as_view(), name="public-notice"),
    path(
        "notice/<int:application_pk>/objections/",
        ObjectionCreateApi.as_view(),
        name="public-notice-objection",
    ),
]
