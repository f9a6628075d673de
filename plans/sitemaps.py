"""The sitemap: every public page, in each language, with hreflang alternates."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from metrics.models import Indicator
from plans.models import Jurisdiction, Milestone, Plan


class LocalizedSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


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


class JurisdictionSitemap(LocalizedSitemap):
    priority = 0.5

    def items(self):
        return Jurisdiction.objects.only("code").order_by("code")


class DeadlineYearSitemap(LocalizedSitemap):
    priority = 0.5

    def items(self):
        return [date.year for date in Milestone.objects.dates("deadline", "year")]

    def location(self, year):
        return reverse("plans:deadline-year", args=[year])


class IndicatorSitemap(LocalizedSitemap):
    priority = 0.5

    def items(self):
        return Indicator.objects.only("slug", "modified").order_by("slug")

    def lastmod(self, indicator):
        return indicator.modified


SITEMAPS = {
    "pages": StaticSitemap,
    "plans": PlanSitemap,
    "jurisdictions": JurisdictionSitemap,
    "deadlines": DeadlineYearSitemap,
    "indicators": IndicatorSitemap,
}
