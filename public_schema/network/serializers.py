"""API shapes of the institution pool and the network catalogue (both sites' APIs)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from public_schema.tenants.models import Tenant

from .models import AdmissionHistory, InstitutionProfile, NetworkProduct, ServiceCategory
from .services import servable_tenants


class TenantRefSerializer(serializers.ModelSerializer):
    slug = serializers.CharField(source="schema_name", read_only=True)

    class Meta:
        model = Tenant
        fields = ["slug", "name"]


class ActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    needs_reason = serializers.BooleanField()


class HistorySerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()

    class Meta:
        model = AdmissionHistory
        fields = ["action", "from_status", "to_status", "comment", "by", "created_at"]

    def get_by(self, entry) -> str:
        if entry.actor_id:
            return str(entry.actor) if self.context.get("hub") else str(_("City hub"))
        return entry.actor_label


class ProfileSerializer(serializers.ModelSerializer):
    institution = TenantRefSerializer(source="tenant", read_only=True)
    serves = TenantRefSerializer(many=True, read_only=True)
    history = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = InstitutionProfile
        fields = [
            "institution",
            "credit_code",
            "introduction",
            "qualifications",
            "categories",
            "serves",
            "contact_name",
            "contact_phone",
            "contact_email",
            "address",
            "status",
            "status_reason",
            "submitted_at",
            "admitted_at",
            "updated_at",
            "history",
            "actions",
        ]
        read_only_fields = fields

    def get_history(self, profile) -> list[dict]:
        entries = profile.history.select_related("actor").order_by("created_at", "pk")
        return HistorySerializer(entries, many=True, context=self.context).data

    def get_actions(self, profile) -> list[dict]:
        return ActionSerializer(self.context.get("actions", []), many=True).data


class ProfileUpdateSerializer(serializers.Serializer):
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True)
    introduction = serializers.CharField(required=False, allow_blank=True)
    qualifications = serializers.CharField(required=False, allow_blank=True)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=ServiceCategory.choices), required=False
    )
    serves = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        help_text=_("Slugs of sub-platforms; empty: the whole network."),
    )
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def validate_serves(self, slugs):
        found = list(servable_tenants().filter(schema_name__in=slugs))
        if len(found) != len(set(slugs)):
            raise serializers.ValidationError(_("Choose only sub-platforms of the network."))
        return found


class TransitionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    expected_status = serializers.ChoiceField(
        choices=InstitutionProfile.Status.choices,
        required=False,
        help_text=_("The status the action was offered from; if it has moved on, the answer is a 409."),
    )


class ProductSerializer(serializers.ModelSerializer):
    serves = TenantRefSerializer(many=True, read_only=True)
    institution = TenantRefSerializer(read_only=True)

    class Meta:
        model = NetworkProduct
        fields = [
            "id",
            "institution",
            "name",
            "category",
            "description",
            "price",
            "term_months",
            "delivery_days",
            "serves",
            "is_published",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProductWriteSerializer(serializers.Serializer):
    """The service checks every rule and answers in the user's language; here only the types."""

    name = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=ServiceCategory.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    term_months = serializers.ChoiceField(
        choices=NetworkProduct.Term.choices, required=False, allow_null=True
    )
    delivery_days = serializers.IntegerField(min_value=1, max_value=365)
    serves = serializers.ListField(child=serializers.SlugField(), required=False)
    is_published = serializers.BooleanField(required=False, default=False)

    def validate_serves(self, slugs):
        found = list(servable_tenants().filter(schema_name__in=slugs))
        if len(found) != len(set(slugs)):
            raise serializers.ValidationError(_("Choose only sub-platforms of the network."))
        return found


class PoolEntrySerializer(serializers.ModelSerializer):
    institution = TenantRefSerializer(source="tenant", read_only=True)
    product_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = InstitutionProfile
        fields = [
            "institution",
            "status",
            "status_reason",
            "categories",
            "submitted_at",
            "admitted_at",
            "product_count",
        ]
        read_only_fields = fields


class PoolListSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField())
    results = PoolEntrySerializer(many=True)
