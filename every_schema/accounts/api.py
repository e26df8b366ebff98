"""API: tokens for API clients, and the signed-in user's own account."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.pagination import PageNumberPagination

from .models import ApiToken, User
from .roles import ROLE_NAMES
from .selectors import api_token_get_for_user, api_token_list_for_user
from .services import api_token_create, api_token_revoke

TAG = "auth"


def _lifetime_field():
    return serializers.IntegerField(
        label=_("Lifetime in days"),
        required=False,
        min_value=1,
        help_text=_("At most API_TOKEN_LIFETIME_DAYS (90 unless configured); that many if left out."),
    )


def _lifetime_valid(days):
    """Read the setting on each request, not at import: the installation may change it."""
    if days is not None and days > settings.API_TOKEN_LIFETIME_DAYS:
        raise serializers.ValidationError(
            _("A token lives at most %(days)s days on this site.")
            % {"days": settings.API_TOKEN_LIFETIME_DAYS}
        )
    return days


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(label=_("Email"))
    password = serializers.CharField(
        label=_("Password"), trim_whitespace=False, style={"input_type": "password"}
    )
    name = serializers.CharField(
        label=_("Token name"),
        max_length=100,
        required=False,
        help_text=_("Which program uses it, e.g. ERP sync."),
    )
    lifetime_days = _lifetime_field()

    def validate_lifetime_days(self, days):
        return _lifetime_valid(days)

    def validate(self, attrs):
        user = authenticate(
            request=self.context["request"], username=attrs["email"].lower(), password=attrs["password"]
        )
        if user is None:
            raise serializers.ValidationError(
                {
                    "password": [
                        _("Wrong email or password for this site. Check both, or reset your password.")
                    ]
                }
            )
        attrs["user"] = user
        return attrs


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(label=_("Token name"), max_length=100)
    lifetime_days = _lifetime_field()

    def validate_lifetime_days(self, days):
        return _lifetime_valid(days)


class ApiTokenSerializer(serializers.ModelSerializer):
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "is_active",
        ]

    def get_is_active(self, token) -> bool:
        return token.revoked_at is None and token.expires_at > timezone.now()


class NewTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text=_("The secret. Shown this once: only its hash is stored."))

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]


def _new_token_response(token, secret):
    token.token = secret
    return Response(NewTokenSerializer(token).data, status=status.HTTP_201_CREATED)


class TokenObtainApi(APIView):
    """Exchange this site's email and password for a new API token (valid on this site only)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=[TAG],
        summary=_("Get a token with email and password"),
        description=_(
            "Makes a new token each call; the secret is in the answer only. It works on this site only "
            "and expires (see `expires_at`). List and revoke tokens at /api/v1/auth/tokens/ or /accounts/tokens/."
        ),
        request=TokenRequestSerializer,
        responses={201: NewTokenSerializer},
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token, secret = api_token_create(
            user=data["user"], name=data.get("name") or "API", lifetime_days=data.get("lifetime_days")
        )
        return _new_token_response(token, secret)


class TokenListCreateApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(tags=[TAG], summary=_("My tokens"), responses=ApiTokenSerializer(many=True))
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(api_token_list_for_user(user=request.user), request, view=self)
        return paginator.get_paginated_response(ApiTokenSerializer(page, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Make a token"),
        description=_("For the signed-in user. The secret is in this answer only."),
        request=TokenCreateSerializer,
        responses={201: NewTokenSerializer},
    )
    def post(self, request):
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, secret = api_token_create(user=request.user, **serializer.validated_data)
        return _new_token_response(token, secret)


class TokenDetailApi(APIView):
    @extend_schema(tags=[TAG], summary=_("One of my tokens"), responses=ApiTokenSerializer)
    def get(self, request, pk):
        return Response(ApiTokenSerializer(api_token_get_for_user(user=request.user, pk=pk)).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Revoke one of my tokens"),
        description=_("At once and for good; the row stays in the list, marked revoked."),
        responses={204: OpenApiResponse(description=_("Revoked."))},
    )
    def delete(self, request, pk):
        api_token_revoke(token=api_token_get_for_user(user=request.user, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["email", "full_name", "phone", "roles"]

    def get_roles(self, user) -> list[str]:
        return [name for name in ROLE_NAMES if name in user.role_set()]


class MeApi(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="token"),
    path("auth/tokens/", TokenListCreateApi.as_view(), name="token-list"),
    path("auth/tokens/<int:pk>/", TokenDetailApi.as_view(), name="token-detail"),
]
