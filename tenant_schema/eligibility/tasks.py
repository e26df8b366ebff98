"""Celery tasks of policy matching: thin, carrying ids, safe to run twice."""

from saas.celery import app

from .services import auto_applications_create, push_run_execute


# A push reaches every matched enterprise in batches; a retry resumes, so a generous limit is safe.
@app.task(name="matching.push_run", acks_late=True, soft_time_limit=900, time_limit=960)
def push_run_task(*, run_id: int) -> int:
    """Send one push in batches; a retry skips the enterprises already reached."""
    return push_run_execute(run_id=run_id).sent


@app.task(name="matching.auto_applications")
def auto_applications_task(*, programme_id: int) -> int:
    """免申即享 for one programme; a second run creates nothing."""
    return auto_applications_create(programme_id=programme_id)


@app.task(name="matching.auto_applications_tenant")
def auto_applications_tenant_task() -> int:
    """Every open 免申即享 programme of the current tenant (catches programmes whose opening time came)."""
    from tenant_schema.funding.selectors import programme_list_open

    ids = list(programme_list_open().filter(no_application_needed=True).values_list("pk", flat=True))
    return sum(auto_applications_create(programme_id=pk) for pk in ids)


@app.task(name="matching.auto_applications_all")
def auto_applications_all_task() -> int:
    """Beat, in the public schema: queue the sweep in every live tenant."""
    from public_schema.tenants.selectors import tenant_schema_names_live

    schemas = tenant_schema_names_live()
    for schema_name in schemas:
        auto_applications_tenant_task.apply_async(headers={"_schema_name": schema_name})
    return len(schemas)
