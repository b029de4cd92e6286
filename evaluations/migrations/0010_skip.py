from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0009_givenweights"),
    ]

    operations = [
        migrations.AddField(
            model_name="evaluation",
            name="allow_skipped_comparisons",
            field=models.BooleanField(default=False, verbose_name="experts may skip comparisons"),
        ),
    ]
