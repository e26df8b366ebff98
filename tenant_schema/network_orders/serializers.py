"""What the network orders API shows and takes. Each side sees only its own copy's fields."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from public_schema.network.models import NetworkProduct, ServiceCategory

from . import workflow as wf
from .models import NetworkOrder
from .services import CONTACT_ENTERPRISE, CONTACT_ME, PAY_OFFLINE, PAY_STRIPE


class EvaluationSerializer(serializers.Serializer):
    orders = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        allow_null=True,
        help_text=_("Percent, of orders delivered or overdue."),
    )
    rating_average = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    rated = serializers.IntegerField()


class ProductOutputSerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name")
    category_display = serializers.CharField(source="get_category_display")
    evaluation = serializers.SerializerMethodField()

    class Meta:
        model = NetworkProduct
        fields = [
            "id",
            "name",
            "category",
            "category_display",
            "description",
            "price",
            "term_months",
            "delivery_days",
            "institution_id",
            "institution_name",
            "evaluation",
        ]

    @staticmethod
    def _evaluation(obj, context):
        return context.get("evaluations", {}).get(obj.institution_id)

    def get_evaluation(self, obj) -> EvaluationSerializer:
        evaluation = self._evaluation(obj, self.context)
        return EvaluationSerializer(evaluation).data if evaluation else None


class ProductFilterSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ServiceCategory.choices, required=False, allow_blank=True)
    price_min = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, min_value=0)
    price_max = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, min_value=0)
    free_only = serializers.BooleanField(required=False, default=False)
    min_rating = serializers.DecimalField(
        max_digits=3, decimal_places=2, required=False, min_value=1, max_value=5, help_text=_("1 to 5 stars.")
    )


class HistorySerializer(serializers.Serializer):
    action = serializers.CharField()
    action_display = serializers.SerializerMethodField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    comment = serializers.CharField()
    by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_action_display(self, obj) -> str:
        return wf.action_label(obj.action)

    def get_by(self, obj) -> str:
        # The other side's people are not this schema's accounts: their side's name stands for them.
        if obj.actor_id:
            return str(obj.actor)
        return obj.actor_label


class OrderOutputSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    payment_status_display = serializers.CharField(source="get_payment_status_display")
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.SerializerMethodField()
    pending = serializers.SerializerMethodField(
        help_text=_("True while a step has not yet reached the other side's copy.")
    )
    actions = serializers.SerializerMethodField(help_text=_("The steps the caller may take now."))

    class Meta:
        model = NetworkOrder
        fields = [
            "id",
            "reference",
            "side",
            "status",
            "status_display",
            "product_id",
            "product_name",
            "product_category",
            "price",
            "term_months",
            "delivery_days",
            "institution_name",
            "buyer_tenant_name",
            "enterprise_name",
            "enterprise_credit_code",
            "contact_name",
            "contact_phone",
            "contact_email",
            "note",
            "payment_method",
            "payment_status",
            "payment_status_display",
            "voucher_discount",
            "voucher_code",
            "amount_due",
            "transfer_reference",
            "paid_at",
            "placed_at",
            "acceptance_due_at",
            "accepted_at",
            "delivery_due_at",
            "delivered_at",
            "delivery_note",
            "delivery_files",
            "confirmed_at",
            "closed_reason",
            "rating",
            "rating_comment",
            "starts_at",
            "ends_at",
            "due_at",
            "overdue",
            "pending",
            "actions",
        ]

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue(timezone.now())

    def get_pending(self, obj) -> bool:
        return obj.reference in self.context.get("pending", set())

    def get_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [transition.action for transition in wf.actions_for(request.user, obj)]


class OrderDetailSerializer(OrderOutputSerializer):
    history = serializers.SerializerMethodField()

    class Meta(OrderOutputSerializer.Meta):
        fields = [*OrderOutputSerializer.Meta.fields, "history"]

    def get_history(self, obj) -> HistorySerializer(many=True):
        return HistorySerializer(obj.history.order_by("created_at", "pk"), many=True).data


# How the remainder a voucher leaves is paid (named NetworkOrderRemainderMethodEnum in the schema).
REMAINDER_METHOD_CHOICES = [
    (PAY_OFFLINE, _("Bank transfer (对公转账)")),
    (PAY_STRIPE, _("Online payment (Stripe Checkout)")),
]


class OrderPlaceSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    share_contact = serializers.ChoiceField(
        choices=[(CONTACT_ENTERPRISE, _("The enterprise's contact")), (CONTACT_ME, _("Me"))],
        default=CONTACT_ENTERPRISE,
        help_text=_("Whose name, phone and email the institution sees."),
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    voucher_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "One of your enterprise's network vouchers, spent on this order (its discount comes off)."
        ),
    )
    payment_method = serializers.ChoiceField(
        choices=[
            (PAY_OFFLINE, _("Bank transfer (对公转账)")),
            (PAY_STRIPE, _("Online payment (Stripe Checkout)")),
        ],
        default=PAY_OFFLINE,
        help_text=_("How the amount the voucher leaves is paid; ignored when nothing is due."),
    )
    reference = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_("Made by the client: sending the same again returns the first order, not a second one."),
    )


class OrderStepSerializer(serializers.Serializer):
    expected_status = serializers.CharField(
        required=False, allow_blank=True, help_text=_("The status you acted from: a repeat is a 409.")
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    delivery_note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    rating = serializers.IntegerField(required=False, min_value=1, max_value=5)
    rating_comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    transfer_reference = serializers.CharField(required=False, allow_blank=True, max_length=100)
