"""Policy matching API: an enterprise's match report and its 免申即享 declines; for park staff a
programme's eligibility rules, its qualifying enterprises and the push.

Enterprise endpoints are a 404 for anyone who is not an enterprise's person; park endpoints a
404 for anyone who is not park staff (as the pages do); changes need a park administrator (403).
"""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_schema.enterprises.selectors import enterprise_of_user, user_is_park_admin, user_is_park_staff
from tenant_schema.funding.selectors import programme_get

from .models import AutoApplication, PushRun
from .rules import CANNOT_TELL, DOES_NOT_QUALIFY, FIELDS, OPS, QUALIFIES, rules_render, rules_validate
from .selectors import (
    auto_application_get_for_enterprise,
    match_report,
    programme_matches,
    programme_pushed_ids,
    push_run_get_for_staff,
)
from .services import auto_application_decline, programme_rules_set, push_start

TAG = "matching"
NOT_FOUND = OpenApiResponse(description=_("Not there, or not yours to see."))


class ConditionSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=list(FIELDS))
    op = serializers.ChoiceField(choices=list(OPS))
    value = serializers.JSONField(
        help_text="A number, true/false, a choice, a tag name, or a list for in / not_in."
    )
    year = serializers.IntegerField(required=False, help_text="For yearly figures and rd_share.")


class RulesSerializer(serializers.Serializer):
    combine = serializers.ChoiceField(choices=["all", "any"], default="all")
    conditions = ConditionSerializer(many=True, default=list)


class EligibilitySerializer(serializers.Serializer):
    rules = RulesSerializer()
    no_application_needed = serializers.BooleanField(required=False)
    text = serializers.CharField(read_only=True, help_text="The rules in words, in the request's language.")


class ConditionResultSerializer(serializers.Serializer):
    condition = serializers.DictField()
    text = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["met", "not_met", "unknown"])
    your_value = serializers.CharField(source="actual_text")


class MatchSerializer(serializers.Serializer):
    programme_id = serializers.IntegerField(source="programme.pk")
    title = serializers.CharField(source="programme.title")
    closes_at = serializers.DateTimeField(source="programme.closes_at")
    outcome = serializers.ChoiceField(
        source="evaluation.outcome", choices=["qualifies", "does_not_qualify", "cannot_tell"]
    )
    rules_text = serializers.SerializerMethodField()
    possible_award = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    no_application_needed = serializers.BooleanField(source="programme.no_application_needed")
    auto_application_id = serializers.SerializerMethodField()
    conditions = ConditionResultSerializer(source="evaluation.conditions", many=True)

    def get_rules_text(self, match) -> str:
        return rules_render(match.programme.eligibility_rules)

    def get_auto_application_id(self, match) -> int | None:
        auto = match.auto_application
        return auto.pk if auto is not None and auto.status == AutoApplication.Status.CREATED else None


class QualifyingSerializer(serializers.Serializer):
    enterprise_id = serializers.IntegerField()
    name = serializers.CharField()
    outcome = serializers.CharField()
    pushed = serializers.BooleanField()


class PushRunSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=PushRun.Status.choices, read_only=True)

    class Meta:
        model = PushRun
        fields = ["id", "programme", "status", "total", "sent", "percent", "created_at", "finished_at"]


class AutoApplicationSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=AutoApplication.Status.choices, read_only=True)

    class Meta:
        model = AutoApplication
        fields = ["id", "programme", "application", "status", "declined_at"]


def _enterprise_or_404(request):
    enterprise = enterprise_of_user(user=request.user)
    if enterprise is None:
        raise Http404
    return enterprise


def _staff_programme(request, pk):
    if not user_is_park_staff(request.user):
        raise Http404
    return programme_get(pk=pk)


def _require_admin(request):
    if not user_is_park_admin(request.user):
        raise PermissionDenied(_("Only a park administrator can do this."))


class MatchReportApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary=_("My match report"),
        description=_(
            "Every open programme with qualifies / does not qualify / cannot tell, and each condition with your own value."
        ),
        responses={200: MatchSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request):
        report = match_report(enterprise=_enterprise_or_404(request))
        return Response(MatchSerializer(report, many=True).data)


class AutoApplicationDeclineApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary=_("Decline an application made for you (免申即享)"),
        request=None,
        responses={200: AutoApplicationSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        auto = auto_application_get_for_enterprise(enterprise=_enterprise_or_404(request), pk=pk)
        auto = auto_application_decline(auto_application=auto, actor=request.user)
        return Response(AutoApplicationSerializer(auto).data)


class EligibilityApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary=_("A programme's eligibility rules"),
        responses={200: EligibilitySerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        programme = _staff_programme(request, pk)
        return Response(self._out(programme))

    @extend_schema(
        tags=[TAG],
        summary=_("Set a programme's eligibility rules"),
        description=_(
            "Park administrators only. Invalid rules are refused (400 on `eligibility_rules`) with a message per condition."
        ),
        request=EligibilitySerializer,
        responses={200: EligibilitySerializer, 404: NOT_FOUND},
    )
    def put(self, request, pk: int):
        programme = _staff_programme(request, pk)
        _require_admin(request)
        # The shape is checked by the service (so messages name the condition), not by the serializer.
        rules = request.data.get("rules") if isinstance(request.data, dict) else None
        programme = programme_rules_set(
            programme=programme, rules=rules, no_application_needed=request.data.get("no_application_needed")
        )
        return Response(self._out(programme))

    @staticmethod
    def _out(programme):
        return {
            "rules": rules_validate(programme.eligibility_rules),
            "no_application_needed": programme.no_application_needed,
            "text": rules_render(programme.eligibility_rules),
        }


class QualifyingFilterSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[QUALIFIES, CANNOT_TELL, DOES_NOT_QUALIFY],
        required=False,
        help_text=_(
            "Only enterprises with this outcome; without it, those that qualify and those that cannot be told."
        ),
    )


class QualifyingPagination(PageNumberPagination):
    """The usual page, plus how many of the park's verified enterprises have each outcome."""

    def get_paginated_response(self, data, *, counts: dict[str, int]):
        response = super().get_paginated_response(data)
        response.data["counts"] = counts
        return response

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["counts"] = {
            "type": "object",
            "properties": {
                outcome: {"type": "integer"} for outcome in (QUALIFIES, CANNOT_TELL, DOES_NOT_QUALIFY)
            },
            "example": {QUALIFIES: 452, CANNOT_TELL: 37, DOES_NOT_QUALIFY: 6511},
        }
        paginated["required"] = [*paginated.get("required", []), "counts"]
        return paginated


class QualifyingApi(APIView):
    pagination_class = QualifyingPagination

    @extend_schema(
        tags=[TAG],
        summary=_("Enterprises that qualify, or may once their data is complete"),
        description=_(
            "Qualifying enterprises first, then those that cannot be told for missing data, by name; "
            "`outcome` picks one. `counts` has the number of each outcome."
        ),
        parameters=[QualifyingFilterSerializer],
        responses={200: QualifyingSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        programme = _staff_programme(request, pk)
        filters = QualifyingFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        outcome = filters.validated_data.get("outcome")
        matches = programme_matches(
            programme=programme, outcomes=(outcome,) if outcome else (QUALIFIES, CANNOT_TELL)
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(matches, request, view=self)
        pushed = programme_pushed_ids(programme=programme, among=[m.enterprise.pk for m in page])
        rows = [
            {
                "enterprise_id": m.enterprise.pk,
                "name": m.enterprise.name,
                "outcome": m.outcome,
                "pushed": m.enterprise.pk in pushed,
            }
            for m in page
        ]
        return paginator.get_paginated_response(
            QualifyingSerializer(rows, many=True).data, counts=matches.counts
        )


class PushApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary=_("Push a programme to its qualifying enterprises"),
        description=_(
            "Park administrators only. Sent by Celery in batches; an enterprise is never told twice about one programme."
        ),
        request=None,
        responses={202: PushRunSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        programme = _staff_programme(request, pk)
        _require_admin(request)
        run = push_start(programme=programme, actor=request.user)
        return Response(PushRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class PushRunApi(APIView):
    @extend_schema(
        tags=[TAG], summary=_("Progress of a push"), responses={200: PushRunSerializer, 404: NOT_FOUND}
    )
    def get(self, request, pk: int):
        if not user_is_park_staff(request.user):
            raise Http404
        return Response(PushRunSerializer(push_run_get_for_staff(pk=pk)).data)


urlpatterns = [
    path("matching/report/", MatchReportApi.as_view(), name="match-report"),
    path(
        "matching/auto-applications/<int:pk>/decline/",
        AutoApplicationDeclineApi.as_view(),
        name="auto-application-decline",
    ),
    path("programmes/<int:pk>/eligibility/", EligibilityApi.as_view(), name="programme-eligibility"),
    path("programmes/<int:pk>/qualifying/", QualifyingApi.as_view(), name="programme-qualifying"),
    path("programmes/<int:pk>/push/", PushApi.as_view(), name="programme-push"),
    path("matching/push-runs/<int:pk>/", PushRunApi.as_view(), name="push-run"),
]
