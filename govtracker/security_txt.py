"""/.well-known/security.txt (RFC 9116): where to report a vulnerability.

Served only when the operator sets SECURITY_CONTACT (a mailto: or https: URL); without one
there is nobody to send reports to, and the address answers 404.
"""

import datetime

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET


@require_GET
def security_txt(request):
    contact = getattr(settings, "SECURITY_CONTACT", "")
    if not contact:
        raise Http404
    expires = timezone.now().replace(microsecond=0) + datetime.timedelta(days=180)
    lines = [
        f"Contact: {contact}",
        f"Expires: {expires.astimezone(datetime.UTC).isoformat().replace('+00:00', 'Z')}",
        "Preferred-Languages: zh-Hant, zh-Hans, en",
        f"Canonical: {request.build_absolute_uri()}",
    ]
    if getattr(settings, "SECURITY_POLICY_URL", ""):
        lines.append(f"Policy: {settings.SECURITY_POLICY_URL}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
