"""Delivering envelopes: thin tasks over public_schema.network.handoffs."""

from saas.celery import app

from .handoffs import handoff_deliver, handoff_sweep


# acks_late + reject_on_worker_lost: a worker killed mid-delivery leaves the message to be
# delivered again (its transaction was rolled back); the sweep catches a message lost anyway.
@app.task(
    name="network.handoff_deliver",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=10,
)
def handoff_deliver_task(*, handoff_id: int) -> bool:
    return handoff_deliver(handoff_id=handoff_id)


@app.task(name="network.handoff_sweep")
def handoff_sweep_task() -> int:
    return handoff_sweep()
