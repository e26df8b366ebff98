"""Offered ⇔ accepted for network demands: on the origin's, the holder's and the supervision office's
copies, every status × extension status × person × step, what `workflow.actions_for` offers is
exactly what `demand_step` applies (as in tests/workflow)."""

from django_tenants.utils import schema_context

from every_schema.network_demands import workflow as wf
from every_schema.network_demands.models import NetworkDemand
from every_schema.network_demands.services import demand_file, demand_step

from ..conftest import ALPHA
from ..factories import EnterpriseFactory
from ..workflow.test_offered_equals_accepted import _walk
from .conftest import deliver_all


class _Both:
    """Both workflows of a demand as one table, so `_walk` asks every step of either."""

    name = "network_demand"

    def __init__(self):
        self.transitions = {**wf.DEMAND_WORKFLOW.transitions, **wf.EXTENSION_WORKFLOW.transitions}

    def actions_for(self, user, obj):
        return wf.actions_for(user, obj)


def test_network_demands_offer_exactly_what_the_service_accepts(net, firm_a):
    inputs = {
        "comment": "理由",
        "category": "land",
        "to_unit": net.beta.pk,
        "rating": "satisfied",
        "deadline": "2099-01-05",
        "extension_days": 1,
    }
    with schema_context(ALPHA):
        neighbour = EnterpriseFactory(verified=True)
        kept = demand_file(actor=firm_a.user, title="留在本街道", description="d", channel="online")
        passed = demand_file(actor=firm_a.user, title="派往自然资源局", description="d", channel="online")
        demand_step(
            demand=passed,
            action=wf.DISPATCH,
            actor=net.alpha_staff,
            to_unit=net.land.pk,
            **{k: inputs[k] for k in ("comment", "category")},
        )
    deliver_all(kept.reference)
    deliver_all(passed.reference)
    people = {
        ALPHA: {
            "owner": firm_a.user,
            "neighbour": neighbour.user,
            "park staff": net.alpha_staff,
            "nobody": None,
        },
        "public": {
            "land desk": net.land_staff,
            "tech desk": net.tech_staff,
            "supervisor": net.supervisor,
            "nobody": None,
        },
    }
    copies = [
        (ALPHA, kept.reference, net.alpha.pk),
        (ALPHA, passed.reference, net.alpha.pk),
        ("public", passed.reference, net.land.pk),
        ("public", passed.reference, net.supervision.pk),
    ]
    disagreements = []
    both = _Both()
    for schema, reference, unit_id in copies:
        with schema_context(schema):
            for status in NetworkDemand.Status.values:
                for extension in NetworkDemand.Extension.values:
                    rows = NetworkDemand.objects.filter(reference=reference, unit_id=unit_id)
                    rows.update(status=status, extension=extension)
                    copy = rows.get()

                    def apply(action, user, copy=copy):
                        demand_step(demand=copy, action=action, actor=user, **inputs)

                    label = f"{schema}/{unit_id} {status}/{extension}"
                    disagreements += _walk(both, label, copy, people[schema], apply)
    assert disagreements == []
