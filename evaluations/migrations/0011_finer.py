from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0010_skip"),
    ]

    operations = [
        migrations.AddField(
            model_name="evaluation",
            name="judgment_scale",
            field=models.CharField(
                choices=[
                    ("verbal", "Verbal 1–9 scale: 1 to 9 and 1/2 to 1/9 (17 values)"),
                    (
                        "intermediate",
                        "Intermediate: the verbal scale and half steps such as 2.5 and 1/2.5",
                    ),
                    ("continuous", "Continuous: any value from 1/9 to 9 (a slider)"),
                ],
                default="verbal",
                max_length=12,
                verbose_name="judgment scale",
            ),
        ),
    ]
