"""The previous release's fan-out task names, answered by the envelopes for one release.

A publish made by a pod of the previous release while a deploy runs writes shares without
an envelope and queues these: they now give such shares their envelope (which a worker then
delivers). Removed in the contract step, with CityProgrammeDelivery.
"""

from saas.celery import app

from .services import city_programme_shares_hand_off


@app.task(name="citywide.fan_out")
def city_programme_fan_out_task(*, city_programme_id: int) -> int:
    return city_programme_shares_hand_off(city_programme_id=city_programme_id)


@app.task(name="citywide.deliver")
def city_programme_deliver_task(*, share_id: int) -> int:
    from .models import CityProgrammeShare

    share = CityProgrammeShare.objects.filter(pk=share_id).values("city_programme_id").first()
    return city_programme_shares_hand_off(city_programme_id=share["city_programme_id"]) if share else 0
