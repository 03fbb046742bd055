from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Cascade, Document, IncomingEntry, NumberSeries, Relation


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ["number_symbol", "type", "date", "issuer", "committee", "direction"]
    list_filter = ["direction", "type", "year"]
    search_fields = ["number_symbol", "subject"]
    raw_id_fields = ["committee"]


admin.site.register([Relation, IncomingEntry, NumberSeries, Cascade])
