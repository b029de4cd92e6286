from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0008_dontknow"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="given_weights",
            field=models.JSONField(
                blank=True, default=None, null=True, verbose_name="given weights"
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="given_weights_source",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="source of the given weights"
            ),
        ),
    ]
