from django.db import migrations


def create_row(apps, schema_editor):
    apps.get_model("commitments", "DataVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("commitments", "0004_add_data_version")]

    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
