"""Fill the working-day calendar the hub's SQL counts working days with (2000–2050).

Years chinese_calendar has no holiday data for count Monday to Friday, as
saas.workdays does; `manage.py hub_calendar_refresh` rewrites the table after the
package is upgraded with a new year's schedule.
"""

from django.db import migrations


def fill(apps, schema_editor):
    from public_schema.hub.services import working_calendar_refresh

    if schema_editor.connection.schema_name == "public":
        working_calendar_refresh(model=apps.get_model("hub", "WorkingDay"))


class Migration(migrations.Migration):
    dependencies = [("hub", "0001_initial")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
