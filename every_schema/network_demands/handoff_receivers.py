"""Where network demands' envelopes land: run by public_schema.network.handoffs in the receiving
unit's schema, inside the delivery's transaction, once per envelope (services.demand_receive)."""

from public_schema.network.handoffs import handoff_receiver

from .services import demand_receive


@handoff_receiver("ndemand.event")
def demand_event_received(handoff) -> dict:
    demand = demand_receive(handoff=handoff)
    return {"demand_id": demand.pk, "status": demand.status}
