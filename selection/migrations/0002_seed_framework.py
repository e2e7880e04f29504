from django.db import migrations


def forwards(apps, schema_editor):
    from selection.framework_data import seed_framework

    seed_framework(apps.get_model("selection", "Framework"), apps.get_model("selection", "FrameworkVersion"),
                   apps.get_model("selection", "Criterion"))


class Migration(migrations.Migration):
    dependencies = [("selection", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
