"""``python -m notification_service.live``: the live channel server (docs/live-channel.md)."""

import asyncio
import logging
import sys

from dbay_common.logging import configure_logging
from dbay_common.settings import env_str
from notification_service.config import SERVICE
from notification_service.live.server import serve_until_signalled
from notification_service.live.settings import load_live_settings


def main() -> None:
    level = env_str("LOG_LEVEL", default="INFO")
    configure_logging(service=f"{SERVICE}-live", level=level)
    if level.upper() != "DEBUG":
        # websockets logs every connection opened and closed at INFO: thousands of lines per minute.
        logging.getLogger("websockets").setLevel(logging.WARNING)
    settings = load_live_settings()
    try:
        asyncio.run(serve_until_signalled(settings))
    except OSError as error:  # the port is taken or the address is not local: say so, no traceback
        logging.getLogger(__name__).error("cannot listen on %s:%s: %s", settings.host, settings.port, error)
        sys.exit(1)


if __name__ == "__main__":
    main()
