from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path

from govtracker.health import health
from govtracker.security_txt import security_txt
from plans.sitemaps import SITEMAPS

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("govtracker.api_urls")),
    # Outside i18n_patterns: probes call one fixed address, with no language redirect.
    path("health/", health, name="health"),
    path(".well-known/security.txt", security_txt, name="security-txt"),
    # One sitemap for the three languages: each entry lists its hreflang alternates.
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS}, name="sitemap-index"),
    path(
        "sitemap-<section>.xml",
        sitemaps.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]

# Pages carry their language in the URL (/zh-hant/, /zh-hans/, /en/) so that each
# language version has its own address for search engines and for sharing.
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("indicators/", include("metrics.urls")),
    path("", include("plans.urls")),
)
