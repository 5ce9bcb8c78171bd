from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health, replicas
from .pages import refused_request_page


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": health.database_ok(), "redis": health.redis_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"} | {
        name: "ok" if ok else "unavailable" for name, ok in checks.items()
    }
    if settings.DATABASE_REPLICAS:
        # Reported, not required: while no replica is usable the primary serves every read.
        body["replicas"] = {
            replica.alias: {
                "status": replica.status,
                "lag_seconds": replica.lag_seconds,
                "behind_bytes": replica.behind_bytes,
            }
            for replica in replicas.replicas_health()
        }
    return JsonResponse(body, status=200 if healthy else 503)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page (handler400). A request that carried too many files or too much form data
    is refused by Django while it reads the body; say so and what to do. Anything else gets
    Django's own 400 page (it may come before the request is fit to render a site page)."""
    if not hasattr(request, "user"):
        return defaults.bad_request(request, exception)
    if isinstance(exception, TooManyFilesSent):
        title = "Too many files at once"
        explanation = (
            f"One upload can carry at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files. "
            "Choose fewer and try again."
        )
    elif isinstance(exception, RequestDataTooBig | TooManyFieldsSent):
        title = "That form sent too much"
        explanation = "It carried more than any of our forms needs. Go back and try again."
    else:
        return defaults.bad_request(request, exception)
    return refused_request_page(request, status=400, title=title, explanation=explanation)
