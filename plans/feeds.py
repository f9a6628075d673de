"""Atom feeds of published progress updates: site-wide, per plan, per jurisdiction."""

import datetime
import io

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from govtracker.rendering import remembered_gettext as _
from govtracker.rendering import rendering_page
from govtracker.text import localized
from plans import snapshot
from plans.models import Jurisdiction, MilestoneSnapshot, Plan, ProgressUpdate, today

FEED_ITEMS = 50
# A feed's <updated> while it has no entry: the instant it was last changed, which is
# never for a site or a jurisdiction with nothing published yet.
NEVER = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


class AtomFeed(Atom1Feed):
    """Atom1Feed whose <updated> stays put while the feed has no entry: Django writes the
    current time there, so an empty feed changed on every request, its ETag with it, and
    a reader polling it could never be answered 304 Not Modified."""

    def latest_post_date(self):
        if self.items:
            return super().latest_post_date()
        return self.feed.get("updated_when_empty") or NEVER

    def write(self, outfile, encoding):
        """The feed written into a string, then into the response in one piece. Given the
        response, the XML writer wraps it in a TextIOWrapper that passes each of its
        1,500-1,600 small writes on to HttpResponse.write at once (write_through), each
        encoded and appended on its own: 4.4 M of a 50-entry feed's 51 M instructions.
        The bytes are the same: that wrapper's encoding, and its character references
        for what the encoding cannot hold."""
        text = io.StringIO()
        super().write(text, encoding)
        outfile.write(text.getvalue().encode(encoding, "xmlcharrefreplace"))


class LatestUpdatesFeed(Feed):
    feed_type = AtomFeed

    def title(self, obj=None):
        return _("govtracker: latest progress updates")

    def subtitle(self, obj=None):
        return _("Published, sourced progress updates on what governments' plans promised.")

    def link(self, obj=None):
        return reverse("plans:home")

    def updates(self, obj):
        return ProgressUpdate.objects.published()

    def get_feed(self, obj, request):
        # Its 300-odd titles, statements and names in the reader's script, its links and
        # its words read the language once (govtracker/rendering.py), as a page does, and
        # each of its phrases is translated once per language (remembered_gettext).
        with rendering_page():
            return super().get_feed(obj, request)

    def items(self, obj=None):
        return (
            self.updates(obj)
            .for_timeline(
                "modified",
                "milestone__plan__jurisdiction__code",
                "milestone__plan__jurisdiction__level",
                "milestone__plan__jurisdiction__name_zh_hant",
                "milestone__plan__jurisdiction__name_zh_hans",
                "milestone__plan__jurisdiction__name_en",
            )
            .select_related("milestone__plan__jurisdiction")
            .order_by("-published_on", "-id")[:FEED_ITEMS]
        )

    def item_title(self, item: ProgressUpdate) -> str:
        return f"{item.milestone.plan.display_title}: {item.milestone.display_statement}"

    def item_description(self, item: ProgressUpdate) -> str:
        parts = [_("As of %(date)s") % {"date": item.as_of.isoformat()}]
        if item.delivered:
            parts.append(_("delivered"))
        elif item.percent_complete is not None:
            parts.append(
                _("%(percent)s%% complete") % {"percent": f"{item.percent_complete.normalize():f}"}
            )
        elif item.value is not None:
            parts.append(
                _("value reached: %(value)s %(unit)s")
                % {"value": f"{item.value.normalize():f}", "unit": localized(item.milestone.unit)}
            )
        if item.display_narrative:
            parts.append(item.display_narrative)
        sources = ", ".join(source.display_title for source in item.source_list)
        parts.append(_("Sources: %(sources)s") % {"sources": sources})
        return " · ".join(parts)

    def item_link(self, item: ProgressUpdate) -> str:
        return f"{item.milestone.plan.get_absolute_url()}#update-{item.pk}"

    def item_pubdate(self, item: ProgressUpdate) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(item.published_on, datetime.time()))

    def item_updateddate(self, item: ProgressUpdate) -> datetime.datetime:
        # A scheduled update, written before its publication day, is new to readers on
        # that day: an entry is never updated before it was published.
        return max(item.modified, self.item_pubdate(item))

    def item_categories(self, item: ProgressUpdate):
        return [item.milestone.plan.jurisdiction.name]


class PlanUpdatesFeed(LatestUpdatesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Plan, slug=slug)

    def feed_extra_kwargs(self, obj):
        return {"updated_when_empty": obj.modified}

    def title(self, obj):
        return _("govtracker: updates on %(plan)s") % {"plan": obj.display_title}

    def link(self, obj):
        return obj.get_absolute_url()

    def updates(self, obj):
        return ProgressUpdate.objects.published().filter(milestone__plan=obj)


class JurisdictionUpdatesFeed(LatestUpdatesFeed):
    def get_object(self, request, code):
        return get_object_or_404(Jurisdiction, code=code)

    def title(self, obj):
        return _("govtracker: updates in %(jurisdiction)s") % {"jurisdiction": obj.name}

    def link(self, obj):
        return obj.get_absolute_url()

    def updates(self, obj):
        """The updates of the jurisdiction's plans and of those directly under it. When
        the snapshot is valid for today, only those of the FEED_ITEMS milestones whose
        own newest update is newest (MilestoneSnapshot.objects.newest_updated), as the
        jurisdiction's page picks its latest updates (plans.views.jurisdiction_updates).
        The busiest province at national scale: 28,211 updates walked newest first
        (126 ms) became 50 milestones' updates."""
        published = ProgressUpdate.objects.published()
        if not snapshot.is_fresh(today()):
            return published.within(obj)
        # The few codes as values, as `within` passes the ids (see there why).
        codes = list(Jurisdiction.objects.within(obj).values_list("code", flat=True))
        newest = MilestoneSnapshot.objects.filter(jurisdiction_code__in=codes).newest_updated(
            FEED_ITEMS
        )
        return published.filter(milestone__in=newest)
