"""Fan-out of a city-wide programme: one delivery task per chosen tenant, each safe to run twice."""

from saas.celery import app

from .services import city_programme_deliver, city_programme_pending_share_ids


@app.task(name="citywide.fan_out")
def city_programme_fan_out_task(*, city_programme_id: int) -> int:
    share_ids = city_programme_pending_share_ids(city_programme_id=city_programme_id)
    for share_id in share_ids:
        city_programme_deliver_task.apply_async(
            kwargs={"share_id": share_id}, headers={"_schema_name": "public"}
        )
    return len(share_ids)


@app.task(name="citywide.deliver", acks_late=True)
def city_programme_deliver_task(*, share_id: int) -> bool:
    return city_programme_deliver(share_id=share_id) is not None
