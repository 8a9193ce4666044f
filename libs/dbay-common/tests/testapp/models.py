from django.db import models


class Item(models.Model):
    """A listable thing for the pagination tests."""

    name = models.CharField(max_length=50)
    rank = models.IntegerField()

    class Meta:
        app_label = "dbay_testapp"
