"""ASGI entry point: HTTP through Django, websockets through Channels.

Sockets are authenticated by the session (AuthMiddlewareStack) and refused from other origins
(AllowedHostsOriginValidator). This module is the composition root, as urls.py is: it names the
apps' consumers, which is why import-linter lets it (and only it) import upward.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

# /ws/chat/<id>/ and /ws/notifications/ (the bell, with the chat app's unread messages).
from chat.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
