"""Shapes of the billing API. Amounts are decimal strings in CNY ("300.00"); dates are ISO 8601 in Asia/Shanghai.

Input serializers check type and form only; the services decide (term offered, voucher
valid, who may do what), so the API and the pages refuse the same things with the same words.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Payment, Provider, Rating, Service, Subscription, Voucher
from .selectors import days_left

MONEY = {"max_digits": 12, "decimal_places": 2}


class HistoryEntrySerializer(serializers.Serializer):
    """One row of a subscription's, payment's or voucher's history. Who acted is shown to park staff only."""

    at = serializers.DateTimeField(source="created_at")
    action = serializers.CharField(help_text=_("Empty on rows written before the history was a workflow's."))
    action_display = serializers.CharField()
    from_status = serializers.CharField(
        help_text=_("Empty on the first row (the order, payment or voucher made).")
    )
    to_status = serializers.CharField()
    to_status_display = serializers.CharField()
    comment = serializers.CharField()
    actor = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, entry) -> str | None:
        if not self.context.get("staff") or entry.actor is None:
            return None
        return entry.actor.full_name or entry.actor.email


class ProviderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = ["id", "name", "description", "contact"]
        read_only_fields = ["id"]


class ProviderRankSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("Empty for the park's own services."))
    is_park = serializers.BooleanField()
    provider_id = serializers.IntegerField(allow_null=True)
    service_count = serializers.IntegerField()
    average_rating = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    rating_count = serializers.IntegerField()
    subscription_count = serializers.IntegerField(help_text=_("Paid terms (active or expired)."))


class ServiceOutputSerializer(serializers.ModelSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    provider = ProviderSerializer(read_only=True, allow_null=True)
    is_public_welfare = serializers.BooleanField(read_only=True)
    average_rating = serializers.SerializerMethodField()
    rating_count = serializers.IntegerField(read_only=True)
    subscriber_count = serializers.IntegerField(
        read_only=True, help_text=_("Enterprises that have paid for a term (active or expired).")
    )

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "description",
            "category",
            "category_display",
            "provider",
            "price",
            "term_options",
            "is_public_welfare",
            "is_active",
            "average_rating",
            "rating_count",
            "subscriber_count",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True))
    def get_average_rating(self, service) -> str | None:
        value = getattr(service, "average_rating", None)
        return f"{value:.2f}" if value is not None else None


class ServiceInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Service.Category.choices, required=False)
    provider = serializers.PrimaryKeyRelatedField(
        queryset=Provider.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("A provider's id; null when the park delivers the service itself."),
    )
    price = serializers.DecimalField(
        **MONEY, help_text=_("Price per month in CNY; 0 for a public-welfare service.")
    )
    term_options = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=60),
        required=False,
        max_length=12,
        help_text=_("Terms offered, in months, e.g. [3, 6, 12]."),
    )
    is_active = serializers.BooleanField(required=False)


class VoucherOutputSerializer(serializers.ModelSerializer):
    history = HistoryEntrySerializer(many=True, read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Voucher
        fields = [
            "id",
            "code",
            "enterprise",
            "enterprise_name",
            "kind",
            "kind_display",
            "value",
            "service",
            "expires_on",
            "status",
            "status_display",
            "note",
            "issued_at",
            "used_at",
            "history",
        ]
        read_only_fields = fields


class VoucherInputSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField(help_text=_("The one enterprise that may use the voucher."))
    kind = serializers.ChoiceField(choices=Voucher.Kind.choices)
    value = serializers.DecimalField(
        **MONEY, help_text=_("Yuan for a fixed amount; 1 to 100 for a percentage.")
    )
    expires_on = serializers.DateField()
    service = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("Limit the voucher to one service.")
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class PaymentSerializer(serializers.ModelSerializer):
    history = HistoryEntrySerializer(many=True, read_only=True)
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "method",
            "method_display",
            "amount",
            "status",
            "status_display",
            "checkout_url",
            "transfer_reference",
            "confirmed_at",
            "refunded_at",
            "created_at",
            "history",
        ]
        read_only_fields = fields


class SubscriptionOutputSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    voucher_code = serializers.CharField(source="voucher.code", read_only=True, allow_null=True, default=None)
    days_left = serializers.SerializerMethodField()
    payments = PaymentSerializer(many=True, read_only=True)
    history = HistoryEntrySerializer(many=True, read_only=True)

    class Meta:
        model = Subscription
        fields = [
            "id",
            "service",
            "service_name",
            "enterprise",
            "enterprise_name",
            "term_months",
            "status",
            "status_display",
            "list_price",
            "discount",
            "amount_due",
            "voucher_code",
            "renews",
            "starts_at",
            "ends_at",
            "days_left",
            "activated_at",
            "created_at",
            "payments",
            "history",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_days_left(self, subscription) -> int | None:
        return days_left(subscription)


class CheckoutInputSerializer(serializers.Serializer):
    service = serializers.IntegerField()
    term_months = serializers.IntegerField(help_text=_("One of the service's term options."))
    method = serializers.ChoiceField(
        choices=[Payment.Method.STRIPE, Payment.Method.OFFLINE],
        default=Payment.Method.STRIPE,
        help_text=_("Ignored when nothing is left to pay (a covering voucher, a public-welfare service)."),
    )
    voucher_code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    renews = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("The subscription this renews.")
    )


class CheckoutOutputSerializer(serializers.Serializer):
    subscription = SubscriptionOutputSerializer()
    redirect_url = serializers.CharField(
        help_text=_(
            "Stripe's payment page when paying online; empty when the term started or a transfer is awaited."
        )
    )


class TransferInputSerializer(serializers.Serializer):
    reference = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text=_("Bank reference.")
    )


class EntitlementSerializer(serializers.Serializer):
    service = serializers.IntegerField()
    entitled = serializers.BooleanField()
    access_ends_at = serializers.DateTimeField(allow_null=True)


class RatingSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = Rating
        fields = ["id", "enterprise_name", "score", "comment", "updated_at"]
        read_only_fields = ["id", "enterprise_name", "updated_at"]
        extra_kwargs = {"score": {"min_value": 1, "max_value": 5}}


class MonthRevenueSerializer(serializers.Serializer):
    month = serializers.DateField()
    received = serializers.DecimalField(**MONEY)
    payments = serializers.IntegerField()
    refunded = serializers.DecimalField(**MONEY)
    net = serializers.DecimalField(**MONEY)

    def to_representation(self, row):
        data = super().to_representation(
            {**row.__dict__, "month": row.month.date() if hasattr(row.month, "date") else row.month}
        )
        return data
