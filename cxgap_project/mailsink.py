"""A local SMTP server that keeps every message it receives as an .eml file.

The embedded default points outgoing mail here, so the demo can be followed from email to link
(`manage.py up` prints the folder; admins see it at /outbox/ on the console).
Run alone: python -m cxgap_project.mailsink --port 1025 --directory .cxgap/mail
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
import uuid
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class EmlDirectoryHandler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd hook name)
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
        partial = self.directory / f".{name}.part"
        partial.write_bytes(envelope.original_content or envelope.content)
        partial.rename(self.directory / name)  # readers never see half a message
        return "250 Message accepted for delivery"


def serve(*, port: int, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(EmlDirectoryHandler(directory), hostname="127.0.0.1", port=port)
    controller.start()
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        loop.run_until_complete(stop.wait())
    finally:
        controller.stop()
        loop.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--directory", type=Path, required=True)
    args = parser.parse_args()
    serve(port=args.port, directory=args.directory)


if __name__ == "__main__":
    main()
