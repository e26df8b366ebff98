from django.db import migrations

BUILTIN_TAGS = [
    "专精特新",
    "专精特新“小巨人”",
    "高新技术企业",
    "科技型中小企业",
    "瞪羚企业",
    "制造业单项冠军",
    "外资企业",
    "上市企业",
]


def add_builtin_tags(apps, schema_editor):
    Tag = apps.get_model("enterprises", "Tag")
    for name in BUILTIN_TAGS:
        Tag.objects.update_or_create(name=name, defaults={"is_builtin": True})


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [migrations.RunPython(add_builtin_tags, migrations.RunPython.noop)]
