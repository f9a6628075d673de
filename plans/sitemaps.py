"""The sitemap: every public page, in each language, with hreflang alternates."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.urls import reverse

from metrics.models import Indicator
from plans.models import Jurisdiction, Plan
from plans.views import deadline_years


class LocalizedItems:
    """(item, language) pairs over a QuerySet, sliced lazily.

    Django's Sitemap builds the pairs for every row before paginating; at 60,000 plans
    that loads the whole table on every sitemap request. This sequence gives the
    paginator a count (one COUNT query) and fetches only the rows of the page it slices.
    """

    def __init__(self, items, languages):
        self.items = items
        self.languages = list(languages)

    def __len__(self) -> int:
        if isinstance(self.items, QuerySet):
            count = self.items.count()
        else:
            count = len(self.items)
        return count * len(self.languages)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        # The paginator slices with explicit bounds; no second COUNT is needed.
        start, stop = index.start or 0, index.stop
        width = len(self.languages)
        rows = self.items[start // width : -(-stop // width)]
        pairs = [(row, language) for row in rows for language in self.languages]
        offset = start - (start // width) * width
        return pairs[offset : offset + (stop - start)]


class LocalizedSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    limit = 15_000  # 5,000 pages in each of the three languages per sitemap file

    def _items(self):
        return LocalizedItems(self.items(), self._languages())


class StaticSitemap(LocalizedSitemap):
    priority = 0.8

    def items(self):
        return [
            "plans:home",
            "plans:plan-list",
            "plans:deadline-index",
            "plans:about",
            "metrics:indicator-list",
        ]

    def location(self, item):
        return reverse(item)


class PlanSitemap(LocalizedSitemap):
    priority = 0.7

    def items(self):
        return Plan.objects.only("slug", "modified").order_by("id")

    def lastmod(self, plan):
        return plan.modified

    def get_latest_lastmod(self):
        return Plan.objects.aggregate(latest=Max("modified"))["latest"]


class JurisdictionSitemap(LocalizedSitemap):
    priority = 0.5

    def items(self):
        return Jurisdiction.objects.only("code").order_by("code")


class DeadlineYearSitemap(LocalizedSitemap):
    priority = 0.5

    def items(self):
        # The deadline index page's years, kept with the scorecards until the data changes
        # (plans.views.deadline_years): a DISTINCT over every milestone's deadline took
        # 110 ms of each sitemap request at national scale.
        return [year for year, _count in deadline_years()]

    def location(self, year):
        return reverse("plans:deadline-year", args=[year])


class IndicatorSitemap(LocalizedSitemap):
    priority = 0.5

    def items(self):
        return Indicator.objects.only("slug", "modified").order_by("slug")

    def lastmod(self, indicator):
        return indicator.modified

    def get_latest_lastmod(self):
        return Indicator.objects.aggregate(latest=Max("modified"))["latest"]


SITEMAPS = {
    "pages": StaticSitemap,
    "plans": PlanSitemap,
    "jurisdictions": JurisdictionSitemap,
    "deadlines": DeadlineYearSitemap,
    "indicators": IndicatorSitemap,
}
