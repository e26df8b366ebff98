"""Awards API: the payment plan, tranches paid and next, reports, final acceptance and recovery.

Every route starts from the award, fetched through `award_get_for_user`: another
enterprise's award, or another park's, is the same 404 as one that does not exist. Then the
one workflow decides (a 409 with the reason when it refuses; 400 on a field).
"""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from saas.api.schema import ErrorSerializer

from . import serializers as s
from . import workflow as wf
from .models import Award, Recovery
from .selectors import award_get_for_user, award_list_for_user, award_summary, user_is_park_admin
from .services import (
    award_acceptance_reviewers_set,
    award_plan,
    award_transition,
    recovery_open,
    recovery_transition,
    report_attachment_add,
    report_review,
    report_submit,
    tranche_pay,
)

TAG = "awards"
NOT_FOUND = OpenApiResponse(description=_("No such award, or not one you may see."))
REFUSED = OpenApiResponse(
    response=ErrorSerializer, description=_("The workflow refuses this step now; `message` says why.")
)
BAD = OpenApiResponse(description=_("A field is missing or wrong; errors by field."))


def _detail(award: Award, request) -> dict:
    award = award_get_for_user(user=request.user, pk=award.pk)
    context = {
        "summary": award_summary(award=award),
        "actions": [t.action for t in wf.AWARD_WORKFLOW.actions_for(request.user, award)],
    }
    return s.AwardDetailSerializer(award, context=context).data


class _OneAward(APIView):
    def award(self, pk) -> Award:
        return award_get_for_user(user=self.request.user, pk=pk)

    def valid(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class AwardListApi(APIView):
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema(tags=[TAG], summary=_("List awards"), responses=s.AwardSerializer(many=True))
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(award_list_for_user(user=request.user), request, view=self)
        return paginator.get_paginated_response(s.AwardSerializer(page, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Plan an approved award in tranches"),
        description=_(
            "Park administrators. The tranches add up to the approved amount; reports are optional."
        ),
        request=s.AwardPlanSerializer,
        responses={201: s.AwardDetailSerializer, 400: BAD, 403: OpenApiResponse()},
    )
    def post(self, request):
        if not user_is_park_admin(request.user):
            raise PermissionDenied(_("Only a park administrator can plan an award."))
        data = s.AwardPlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        award = award_plan(
            application_id=data.validated_data["application"],
            actor=request.user,
            tranches=data.validated_data["tranches"],
            reports=data.validated_data.get("reports", []),
        )
        return Response(_detail(award, request), status=status.HTTP_201_CREATED)


class AwardDetailApi(_OneAward):
    @extend_schema(
        tags=[TAG],
        summary=_("An award: paid, next, reports, recoveries"),
        responses={200: s.AwardDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        return Response(_detail(self.award(pk), request))


class AwardActionApi(_OneAward):
    @extend_schema(
        tags=[TAG],
        summary=_("Final acceptance: open, pass or fail"),
        description=_(
            "open_acceptance: park administrators; pass / fail (with a `comment`): the acceptance reviewers."
        ),
        request=s.ActionSerializer,
        responses={200: s.AwardDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: REFUSED},
    )
    def post(self, request, pk: int, action: str):
        award = self.award(pk)
        if action not in wf.AWARD_WORKFLOW.transitions:
            raise Http404
        data = self.valid(s.ActionSerializer)
        award_transition(
            award_id=award.pk,
            action=action,
            actor=request.user,
            comment=data.get("comment", ""),
            expected_status=data.get("expected_status") or None,
        )
        return Response(_detail(award, request))


class AwardReviewersApi(_OneAward):
    @extend_schema(
        tags=[TAG],
        summary=_("Name the acceptance reviewers"),
        request=s.ReviewersSerializer,
        responses={200: s.AwardDetailSerializer, 400: BAD, 403: OpenApiResponse(), 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        award = self.award(pk)
        if not user_is_park_admin(request.user):
            raise PermissionDenied(_("Only a park administrator can name the reviewers."))
        data = self.valid(s.ReviewersSerializer)
        award_acceptance_reviewers_set(award=award, actor=request.user, reviewer_ids=data["reviewers"])
        return Response(_detail(award, request))


class TranchePayApi(_OneAward):
    @extend_schema(
        tags=[TAG],
        summary=_("Record a tranche's payment"),
        description=_(
            "Park administrators. Held (409, with the reason) while a report is overdue, and in the other cases the plan names."
        ),
        request=s.PaySerializer,
        responses={200: s.AwardDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: REFUSED},
    )
    def post(self, request, pk: int, position: int):
        award = self.award(pk)
        tranche = award.tranches.filter(position=position).first()
        if tranche is None:
            raise Http404
        data = self.valid(s.PaySerializer)
        tranche_pay(
            tranche_id=tranche.pk,
            actor=request.user,
            paid_on=data.get("paid_on"),
            reference=data["reference"],
            comment=data.get("comment", ""),
            expected_status=data.get("expected_status") or None,
        )
        return Response(_detail(award, request))


class ReportActionApi(_OneAward):
    @extend_schema(
        tags=[TAG],
        summary=_("A report: submit (the enterprise, with its `text`), accept or return (park staff)"),
        request=s.ReportActionSerializer,
        responses={200: s.AwardDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: REFUSED},
    )
    def post(self, request, pk: int, kind: str, action: str):
        award = self.award(pk)
        report = award.reports.filter(kind=kind).first()
        if report is None or action not in wf.REPORT_WORKFLOW.transitions:
            raise Http404
        data = self.valid(s.ReportActionSerializer)
        expected = data.get("expected_status") or None
        if action == wf.SUBMIT:
            report_submit(
                report_id=report.pk, actor=request.user, text=data.get("text", ""), expected_status=expected
            )
        else:
            report_review(
                report_id=report.pk,
                action=action,
                actor=request.user,
                comment=data.get("comment", ""),
                expected_status=expected,
            )
        return Response(_detail(award, request))


class ReportFileApi(_OneAward):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=[TAG],
        summary=_("Add a file to a report still owed"),
        request={"multipart/form-data": s.ReportFileSerializer},
        responses={201: s.AwardDetailSerializer, 400: BAD, 403: OpenApiResponse(), 404: NOT_FOUND},
    )
    def post(self, request, pk: int, kind: str):
        award = self.award(pk)
        report = award.reports.filter(kind=kind).first()
        if report is None:
            raise Http404
        data = self.valid(s.ReportFileSerializer)
        report_attachment_add(report=report, actor=request.user, upload=data["file"])
        return Response(_detail(award, request), status=status.HTTP_201_CREATED)


class RecoveryOpenApi(_OneAward):
    @extend_schema(
        tags=[TAG],
        summary=_("Open a recovery on a paid award"),
        request=s.RecoveryOpenSerializer,
        responses={201: s.AwardDetailSerializer, 400: BAD, 403: OpenApiResponse(), 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        award = self.award(pk)
        if not user_is_park_admin(request.user):
            raise PermissionDenied(_("Only a park administrator can open a recovery."))
        data = self.valid(s.RecoveryOpenSerializer)
        recovery_open(award_id=award.pk, actor=request.user, **data)
        return Response(_detail(award, request), status=status.HTTP_201_CREATED)


class RecoveryActionApi(_OneAward):
    @extend_schema(
        tags=[TAG],
        summary=_("The open recovery: repay (amount, reference) or cancel (comment)"),
        request=s.RecoveryActionSerializer,
        responses={200: s.AwardDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: REFUSED},
    )
    def post(self, request, pk: int, action: str):
        award = self.award(pk)
        recovery = award.recoveries.filter(status=Recovery.Status.OPEN).first() or award.recoveries.first()
        if recovery is None or action not in wf.RECOVERY_WORKFLOW.transitions:
            raise Http404
        data = self.valid(s.RecoveryActionSerializer)
        recovery_transition(
            recovery_id=recovery.pk,
            action=action,
            actor=request.user,
            comment=data.get("comment", ""),
            amount=data.get("amount"),
            paid_on=data.get("paid_on"),
            reference=data.get("reference", ""),
            expected_status=data.get("expected_status") or None,
        )
        return Response(_detail(award, request))


urlpatterns = [
    path("awards/", AwardListApi.as_view(), name="award-list"),
    path("awards/<int:pk>/", AwardDetailApi.as_view(), name="award-detail"),
    path("awards/<int:pk>/actions/<str:action>/", AwardActionApi.as_view(), name="award-action"),
    path("awards/<int:pk>/reviewers/", AwardReviewersApi.as_view(), name="award-reviewers"),
    path("awards/<int:pk>/tranches/<int:position>/pay/", TranchePayApi.as_view(), name="award-tranche-pay"),
    path(
        "awards/<int:pk>/reports/<str:kind>/actions/<str:action>/",
        ReportActionApi.as_view(),
        name="award-report-action",
    ),
    path("awards/<int:pk>/reports/<str:kind>/files/", ReportFileApi.as_view(), name="award-report-files"),
    path("awards/<int:pk>/recoveries/", RecoveryOpenApi.as_view(), name="award-recoveries"),
    path(
        "awards/<int:pk>/recovery/actions/<str:action>/",
        RecoveryActionApi.as_view(),
        name="award-recovery-action",
    ),
]
