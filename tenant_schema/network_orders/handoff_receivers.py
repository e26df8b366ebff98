"""Where network orders' envelopes land: run by public_schema.network.handoffs in the receiver's schema,
inside the delivery's transaction, once per envelope (see services.order_receive_*)."""

from public_schema.network.handoffs import handoff_receiver

from .services import order_receive_placed, order_receive_step


@handoff_receiver("order.placed")
def order_placed_received(handoff) -> dict:
    return {"order_id": order_receive_placed(handoff=handoff).pk}


@handoff_receiver("order.event")
def order_event_received(handoff) -> dict:
    order = order_receive_step(handoff=handoff)
    return {"order_id": order.pk if order else None, "status": order.status if order else None}
