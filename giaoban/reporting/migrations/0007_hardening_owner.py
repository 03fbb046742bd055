"""Indicators and forms record the unit that owns them; the existing ones belong to the national root."""

import django.db.models.deletion
from django.db import migrations, models


def to_national_root(apps, schema_editor):
    OrgUnit = apps.get_model("orgs", "OrgUnit")
    root = OrgUnit.objects.filter(depth=1, kind="national").order_by("path").first()
    if root is None:
        return  # no units yet: owner None is the national level until there is one
    for name in ("Indicator", "ReportForm"):
        apps.get_model("reporting", name).objects.filter(owner__isnull=True).update(owner=root)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
        ("reporting", "0006_postgresql_jit_off"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalindicator",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="orgs.orgunit",
                verbose_name="đơn vị sở hữu",
            ),
        ),
        migrations.AddField(
            model_name="historicalreportform",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="orgs.orgunit",
                verbose_name="đơn vị sở hữu",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.orgunit",
                verbose_name="đơn vị sở hữu",
            ),
        ),
        migrations.AddField(
            model_name="reportform",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.orgunit",
                verbose_name="đơn vị sở hữu",
            ),
        ),
        migrations.RunPython(to_national_root, migrations.RunPython.noop),
    ]
