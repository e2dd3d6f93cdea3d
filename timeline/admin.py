"""The editorial admin: where press offices record events."""

import datetime

from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries as all_countries

from .models import Event, Participant, Series, SourceLink, Topic

admin.site.site_header = _("Diplomatic events – editorial office")
admin.site.site_title = _("Diplomatic events")
admin.site.index_title = _("Editorial office")


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 1
    fields = ["name", "role", "organisation", "country", "position"]


class SourceLinkInline(admin.TabularInline):
    model = SourceLink
    extra = 1
    fields = ["url", "title", "publisher", "position"]


class CountryListFilter(admin.SimpleListFilter):
    """Events involving one country (events may involve several)."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        used = set()
        for codes in Event.objects.values_list("countries", flat=True).distinct():
            used.update(code for code in codes.split(",") if code)
        return sorted(((code, all_countries.name(code)) for code in used), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        code = self.value()
        if code and code in all_countries:
            # Stored as "DE,JP"; a two-letter code can only match inside one code.
            return queryset.filter(countries__contains=code)
        return queryset


class YearListFilter(admin.SimpleListFilter):
    """Events whose (possibly imprecise) date overlaps a calendar year."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Event.objects.dates("date_start", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and 1 <= int(value) <= 9999:
            year = int(value)
            return queryset.filter(date_start__lte=datetime.date(year, 12, 31), date_end__gte=datetime.date(year, 1, 1))
        return queryset


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "human_date", "kind", "country_codes", "status_display", "publish_at"]
    list_filter = ["status", "kind", CountryListFilter, "topics", "series", YearListFilter]
    list_select_related = ["series"]
    search_fields = ["title", "summary", "place", "participants__name", "participants__role"]
    date_hierarchy = "date_start"
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["human_date", "public_id", "import_ref", "first_published_at", "created_at", "updated_at"]
    autocomplete_fields = ["series"]
    filter_horizontal = ["topics"]
    inlines = [ParticipantInline, SourceLinkInline]
    actions = ["publish", "unpublish"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", ("date", "human_date"), "place", "countries"]}),
        (_("Content"), {"fields": ["summary", "body", "topics", "series"]}),
        (_("Publication"), {"fields": ["status", "publish_at", "change_note"]}),
        (_("Record"), {"fields": ["public_id", "import_ref", "first_published_at", "created_at", "updated_at"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "countries":
            # A plain multiple select loses every other country on a click without Ctrl;
            # the two-pane chooser with search is what editors know from topics.
            kwargs["widget"] = FilteredSelectMultiple(db_field.verbose_name, is_stacked=False)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("date as shown"), ordering="date_start")
    def human_date(self, obj: Event) -> str:
        if not obj.pk or not obj.date:
            return "–"
        return obj.date_display()

    @admin.display(description=_("countries"))
    def country_codes(self, obj: Event) -> str:
        return ", ".join(country.code for country in obj.countries)

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj: Event) -> str:
        if obj.is_scheduled():
            return _("scheduled for %(time)s") % {"time": timezone.localtime(obj.publish_at).strftime("%d.%m.%Y %H:%M")}
        return obj.get_status_display()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        typed = " ".join(str(form.data.get("date", "")).split())
        if typed and typed != obj.date:
            # Confirm back how a human date was understood, so a misreading is caught at once.
            messages.info(
                request,
                _("The date “%(typed)s” was saved as %(edtf)s and reads “%(shown)s”.")
                % {"typed": typed, "edtf": obj.date, "shown": obj.date_display()},
            )

    @staticmethod
    def _move_to(events: QuerySet[Event], status: str) -> int:
        """Give each event the status through save(), so publication times are kept right."""
        count = 0
        for event in events.exclude(status=status):
            event.status = status
            event.save()
            count += 1
        return count

    @admin.action(description=_("Publish selected events"), permissions=["change"])
    def publish(self, request, queryset: QuerySet[Event]) -> None:
        count = self._move_to(queryset, Event.Status.PUBLISHED)
        message = ngettext("%(count)d event was published.", "%(count)d events were published.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Unpublish selected events (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset: QuerySet[Event]) -> None:
        count = self._move_to(queryset, Event.Status.DRAFT)
        message = ngettext("%(count)d event was unpublished.", "%(count)d events were unpublished.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
