from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("govtracker.api_urls")),
]

# Pages carry their language in the URL (/zh-hant/, /zh-hans/, /en/) so that each
# language version has its own address for search engines and for sharing.
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("indicators/", include("metrics.urls")),
    path("", include("plans.urls")),
)
