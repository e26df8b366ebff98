"""Programme form API: a programme's published form, and an application's answers (read, and for the
enterprise's own people, write while it is a draft or returned).

The application is fetched through `application_get_for_user`, so another enterprise's, or another
park's, is the same 404 as one that does not exist. A draft save accepts missing answers and
refuses a wrong one with 400 on its field key; `problems` tells what a submission would still be
refused for. Submitting is the application's `submit` action.
"""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.schema import ErrorSerializer
from tenant_schema.applications.selectors import application_get_for_user
from tenant_schema.enterprises.selectors import enterprise_of_user
from tenant_schema.funding.selectors import programme_get_for_user

from .selectors import form_latest
from .serializers import FiledFormInputSerializer, FiledFormSerializer, FormVersionSerializer
from .services import filed_form_problems, filed_form_save

TAG = "application forms"
NOT_FOUND = OpenApiResponse(description=_("No such application or form, or not one you may see."))


class IsOwnerOrReadOnly(BasePermission):
    message = _("Only the enterprise's own people can change its application.")

    def has_object_permission(self, request, view, application):
        if request.method in SAFE_METHODS:
            return True
        enterprise = enterprise_of_user(user=request.user)
        return enterprise is not None and enterprise.pk == application.enterprise_id


class ProgrammeFormApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary=_("A programme's application form (its latest published version)"),
        responses={200: FormVersionSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        version = form_latest(programme_get_for_user(user=request.user, pk=pk))
        if version is None:
            raise Http404("No form")
        return Response(FormVersionSerializer(version).data)


class ApplicationFormApi(APIView):
    permission_classes = [IsAuthenticated, IsOwnerOrReadOnly]

    def get_application(self, pk: int):
        application = application_get_for_user(user=self.request.user, pk=pk)
        self.check_object_permissions(self.request, application)
        return application

    def _answer(self, application):
        enterprise = enterprise_of_user(user=self.request.user)
        own = enterprise is not None and enterprise.pk == application.enterprise_id
        filed, problems = filed_form_problems(application=application, start=own)
        if filed is None:
            raise Http404("No form")
        return Response(
            FiledFormSerializer(
                {
                    "version": filed.version,
                    "answers": filed.answers,
                    "problems": problems,
                    "to_fix_fields": filed.to_fix_fields,
                    "to_fix_documents": filed.to_fix_documents,
                }
            ).data
        )

    @extend_schema(
        tags=[TAG],
        summary=_("An application's form and answers"),
        description=_(
            "The form version the application was started under (it keeps it when the programme publishes "
            "another), the answers, what a submission would still be refused for, and what a reviewer who "
            "returned it asks to correct. Opening it starts the form (pre-filled from the enterprise's profile)."
        ),
        responses={200: FiledFormSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        return self._answer(self.get_application(pk))

    def _save(self, request, pk: int, *, merge: bool):
        application = self.get_application(pk)
        serializer = FiledFormInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        filed_form_save(
            application=application,
            actor=request.user,
            answers=serializer.validated_data["answers"],
            merge=merge,
        )
        return self._answer(application_get_for_user(user=request.user, pk=pk))

    @extend_schema(
        tags=[TAG],
        summary=_("Replace the answers of a draft"),
        description=_(
            "The enterprise's own people, while the application is a draft or returned. 400 by field key."
        ),
        request=FiledFormInputSerializer,
        responses={200: FiledFormSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: NOT_FOUND},
    )
    def put(self, request, pk: int):
        return self._save(request, pk, merge=False)

    @extend_schema(
        tags=[TAG],
        summary=_("Change some answers of a draft"),
        description=_("Only the answers sent change; null clears one. 400 by field key."),
        request=FiledFormInputSerializer,
        responses={200: FiledFormSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: NOT_FOUND},
    )
    def patch(self, request, pk: int):
        return self._save(request, pk, merge=True)


urlpatterns = [
    path("programmes/<int:pk>/form/", ProgrammeFormApi.as_view(), name="programme-form"),
    path("applications/<int:pk>/form/", ApplicationFormApi.as_view(), name="application-form"),
]
