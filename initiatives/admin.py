from django.contrib import admin

from initiatives.models import FundingLine, Initiative
from portal.admin import RecordedAdmin


class FundingLineInline(admin.TabularInline):
    model = FundingLine
    extra = 0


@admin.register(Initiative)
class InitiativeAdmin(RecordedAdmin):
    list_display = ["title", "ecosystem", "type", "stage", "status", "published", "updated_at"]
    list_filter = ["status", "published", "type", "stage", "theme"]
    search_fields = ["title", "external_id"]
    raw_id_fields = ["lead_organisation", "owner_organisation", "merged_into", "ecosystem"]
    filter_horizontal = ["regions", "priorities", "vision_windows"]
    autocomplete_fields = ["partners"]
    inlines = [FundingLineInline]
    list_select_related = ["ecosystem"]
