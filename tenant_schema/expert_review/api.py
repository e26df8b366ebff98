"""Expert review API: the expert's cases and moves, the park's stage standings and decision, the enterprise's outcome.

Every object through the selectors' scoped helpers: another expert's case, a case of another
park, a stage without a score sheet, someone else's application, are the same 404 as one that
does not exist. The application inside a case is absent (`application: null`) until the expert
declares no conflict, and `/application/` is a 404 until then. A refused move is a 409
(`transition_refused`, `stale_action`), a bad field a 400 by field.
"""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.schema import ErrorSerializer
from tenant_schema.applications.selectors import application_answers, application_get_for_user
from tenant_schema.enterprises.selectors import enterprise_of_user, user_is_park_admin

from . import workflow as wf
from .models import Assignment
from .selectors import (
    assignment_get_cleared,
    assignment_get_for_expert,
    assignment_list_for_expert,
    expert_profile_of,
    panel_for_expert,
    review_outcomes_for_enterprise,
    review_stage_get_for_admin,
    sheet_standings,
)
from .services import assignment_move, review_confirm, stage_assign_all

TAG = "expert review"
NOT_FOUND = OpenApiResponse(description=_("No such case or stage, or not one you may see."))
REFUSED = OpenApiResponse(response=ErrorSerializer, description=_("The workflow refuses this move now."))


class CriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    guidance = serializers.CharField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    max_points = serializers.IntegerField()


class ScoreLineSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    points = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class SheetSerializer(serializers.Serializer):
    expert = serializers.CharField(
        help_text=_("A number for other experts; the name only on the park's view.")
    )
    status = serializers.CharField()
    total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    scores = ScoreLineSerializer(many=True)
    public_comment = serializers.CharField()
    internal_comment = serializers.CharField(required=False)


class CaseApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    requested_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    answers = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    programme = serializers.CharField()
    stage = serializers.CharField()
    enterprise = serializers.CharField()
    actions = serializers.ListField(child=serializers.CharField())
    criteria = CriterionSerializer(many=True)
    total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    application = CaseApplicationSerializer(allow_null=True)
    other_sheets = SheetSerializer(
        many=True, help_text=_("Empty until this expert's own sheet is submitted.")
    )


class CaseActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(wf.ASSIGNMENT_WORKFLOW.transitions))
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    scores = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=1), required=False
    )
    public_comment = serializers.CharField(required=False, allow_blank=True, default="")
    internal_comment = serializers.CharField(required=False, allow_blank=True, default="")
    expected_status = serializers.ChoiceField(choices=Assignment.Status.choices, required=False)


def _criteria(sheet):
    return [
        {"id": c.pk, "name": c.name, "guidance": c.guidance, "weight": c.weight, "max_points": c.max_points}
        for c in sheet.criteria.all()
    ]


def _sheet(view, *, internal: bool) -> dict:
    body = {
        "expert": view.label,
        "status": view.assignment.status,
        "total": view.assignment.total,
        "scores": [{"criterion": c.pk, "points": p} for c, p in view.scores],
        "public_comment": view.assignment.public_comment,
    }
    if internal:
        body["internal_comment"] = view.assignment.internal_comment
    return body


def _case(assignment, user) -> dict:
    cleared = assignment.status in (Assignment.Status.CLEARED, Assignment.Status.SUBMITTED)
    application = assignment.application
    return CaseSerializer(
        {
            "id": assignment.pk,
            "status": assignment.status,
            "programme": assignment.sheet.stage.programme.title,
            "stage": assignment.sheet.stage.name,
            "enterprise": application.enterprise.name,
            "actions": [t.action for t in wf.ASSIGNMENT_WORKFLOW.actions_for(user, assignment)],
            "criteria": _criteria(assignment.sheet),
            "total": assignment.total,
            "application": {
                "id": application.pk,
                "requested_amount": application.requested_amount,
                "answers": [list(pair) for pair in application_answers(application=application)],
            }
            if cleared
            else None,
            "other_sheets": [_sheet(v, internal=False) for v in panel_for_expert(assignment=assignment)],
        }
    ).data


class _ExpertApi(APIView):
    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if expert_profile_of(request.user) is None:
            raise Http404


@extend_schema(
    tags=[TAG],
    responses={
        200: CaseSerializer(many=True),
        404: OpenApiResponse(description=_("Not an expert of this site.")),
    },
)
class CaseListApi(_ExpertApi):
    def get(self, request):
        return Response([_case(a, request.user) for a in assignment_list_for_expert(user=request.user)])


@extend_schema(tags=[TAG], responses={200: CaseSerializer, 404: NOT_FOUND})
class CaseDetailApi(_ExpertApi):
    def get(self, request, pk):
        return Response(_case(assignment_get_for_expert(user=request.user, pk=pk), request.user))


@extend_schema(tags=[TAG], responses={200: CaseApplicationSerializer, 404: NOT_FOUND})
class CaseApplicationApi(_ExpertApi):
    """The application's content: a 404 until the expert declared no conflict."""

    def get(self, request, pk):
        application = assignment_get_cleared(user=request.user, pk=pk).application
        return Response(
            CaseApplicationSerializer(
                {
                    "id": application.pk,
                    "requested_amount": application.requested_amount,
                    "answers": [list(pair) for pair in application_answers(application=application)],
                }
            ).data
        )


@extend_schema(
    tags=[TAG],
    request=CaseActionSerializer,
    responses={
        200: CaseSerializer,
        400: OpenApiResponse(description=_("Errors by field.")),
        404: NOT_FOUND,
        409: REFUSED,
    },
)
class CaseActionApi(_ExpertApi):
    def post(self, request, pk):
        assignment = assignment_get_for_expert(user=request.user, pk=pk)
        body = CaseActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["action"] == wf.SUBMIT:
            assignment_get_cleared(user=request.user, pk=pk)
        extra = {"expected_status": data["expected_status"]} if "expected_status" in data else {}
        moved = assignment_move(
            assignment_id=assignment.pk,
            action=data["action"],
            actor=request.user,
            comment=data.get("comment", ""),
            scores=data.get("scores") or {},
            public_comment=data.get("public_comment", ""),
            internal_comment=data.get("internal_comment", ""),
            **extra,
        )
        return Response(_case(assignment_get_for_expert(user=request.user, pk=moved.pk), request.user))


# ---------------------------------------------------------------------------
# The park
# ---------------------------------------------------------------------------


class StandingSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    enterprise = serializers.CharField()
    sheets_submitted = serializers.IntegerField()
    sheets_open = serializers.IntegerField()
    recused = serializers.IntegerField()
    average = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    spread = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    proposed = serializers.CharField(
        allow_null=True, help_text=_("passed / failed while undecided and ready")
    )
    decision = serializers.CharField(allow_null=True)
    sheets = SheetSerializer(many=True)


class StageStandingsSerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    rule = serializers.CharField()
    threshold = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    quota = serializers.IntegerField(allow_null=True)
    criteria = CriterionSerializer(many=True)
    applications = StandingSerializer(many=True)


class ConfirmSerializer(serializers.Serializer):
    amounts = serializers.DictField(
        child=serializers.DecimalField(max_digits=16, decimal_places=2),
        required=False,
        help_text=_("application id → award"),
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class _ParkApi(APIView):
    permission_classes = [IsAuthenticated]

    def stage_sheet(self, stage_pk):
        if not user_is_park_admin(self.request.user):
            raise Http404
        stage = review_stage_get_for_admin(stage_pk=stage_pk)
        sheet = getattr(stage, "score_sheet", None)
        if sheet is None:
            raise Http404
        return sheet


def _standings(sheet) -> dict:
    from .selectors import sheet_views_for_admin

    rows = []
    for row in sheet_standings(sheet=sheet).rows:
        undecided_ready = row.decision is None and row.ready
        rows.append(
            {
                "application": row.application.pk,
                "enterprise": row.application.enterprise.name,
                "sheets_submitted": row.submitted,
                "sheets_open": row.open,
                "recused": row.recused,
                "average": row.average,
                "spread": row.spread,
                "rank": row.rank,
                "proposed": ("passed" if row.passes else "failed") if undecided_ready else None,
                "decision": row.decision.outcome if row.decision else None,
                "sheets": [_sheet(v, internal=True) for v in sheet_views_for_admin(standing=row)],
            }
        )
    return StageStandingsSerializer(
        {
            "stage": sheet.stage_id,
            "rule": sheet.rule,
            "threshold": sheet.threshold,
            "quota": sheet.quota,
            "criteria": _criteria(sheet),
            "applications": rows,
        }
    ).data


@extend_schema(tags=[TAG], responses={200: StageStandingsSerializer, 404: NOT_FOUND})
class StageStandingsApi(_ParkApi):
    def get(self, request, stage_pk):
        return Response(_standings(self.stage_sheet(stage_pk)))


@extend_schema(tags=[TAG], request=None, responses={200: StageStandingsSerializer, 404: NOT_FOUND})
class StageAssignApi(_ParkApi):
    def post(self, request, stage_pk):
        sheet = self.stage_sheet(stage_pk)
        stage_assign_all(sheet=sheet, actor=request.user)
        return Response(_standings(sheet))


@extend_schema(
    tags=[TAG],
    request=ConfirmSerializer,
    responses={
        200: StageStandingsSerializer,
        400: OpenApiResponse(description=_("Errors by field.")),
        404: NOT_FOUND,
    },
)
class StageConfirmApi(_ParkApi):
    def post(self, request, stage_pk):
        sheet = self.stage_sheet(stage_pk)
        body = ConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review_confirm(
            sheet=sheet,
            actor=request.user,
            amounts=body.validated_data.get("amounts") or {},
            comment=body.validated_data.get("comment", ""),
        )
        return Response(_standings(sheet))


# ---------------------------------------------------------------------------
# The enterprise
# ---------------------------------------------------------------------------


class CommentSerializer(serializers.Serializer):
    expert = serializers.CharField(
        help_text=_("“Expert 1”…, the name only where the programme publishes names")
    )
    comment = serializers.CharField()


class OutcomeSerializer(serializers.Serializer):
    stage = serializers.CharField()
    outcome = serializers.CharField()
    average = serializers.DecimalField(max_digits=6, decimal_places=2)
    comments = CommentSerializer(many=True)


@extend_schema(tags=[TAG], responses={200: OutcomeSerializer(many=True), 404: NOT_FOUND})
class ApplicationReviewApi(APIView):
    """The enterprise's own application: outcomes and public comments, no names unless published."""

    permission_classes = [IsAuthenticated]

    def get(self, request, pk):
        if enterprise_of_user(user=request.user) is None:
            raise Http404
        application = application_get_for_user(user=request.user, pk=pk)
        outcomes = review_outcomes_for_enterprise(application=application)
        return Response(
            OutcomeSerializer(
                [
                    {
                        "stage": o.stage_name,
                        "outcome": o.outcome,
                        "average": o.average,
                        "comments": [{"expert": label, "comment": text} for label, text in o.comments],
                    }
                    for o in outcomes
                ],
                many=True,
            ).data
        )


urlpatterns = [
    path("expert/cases/", CaseListApi.as_view(), name="expert-case-list"),
    path("expert/cases/<int:pk>/", CaseDetailApi.as_view(), name="expert-case-detail"),
    path("expert/cases/<int:pk>/application/", CaseApplicationApi.as_view(), name="expert-case-application"),
    path("expert/cases/<int:pk>/actions/", CaseActionApi.as_view(), name="expert-case-action"),
    path(
        "park/expert-review/stages/<int:stage_pk>/",
        StageStandingsApi.as_view(),
        name="expert-stage-standings",
    ),
    path(
        "park/expert-review/stages/<int:stage_pk>/assign/",
        StageAssignApi.as_view(),
        name="expert-stage-assign",
    ),
    path(
        "park/expert-review/stages/<int:stage_pk>/confirm/",
        StageConfirmApi.as_view(),
        name="expert-stage-confirm",
    ),
    path(
        "applications/<int:pk>/expert-review/",
        ApplicationReviewApi.as_view(),
        name="application-expert-review",
    ),
]
