"""--address: a Ray cluster's address, probed before Ray starts so that a typo fails in one line."""

from __future__ import annotations

import socket

from gwin.errors import GwinError


def check_address(address: str, timeout: float = 3.0) -> None:
    """Fail fast, in one line, when a host:port (or ray://host:port) cannot be reached."""
    if address in ("auto", "local"):
        return  # ray.init resolves these; its error is turned into one line by the runner
    hostport = address.removeprefix("ray://")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise GwinError(f"--address {address!r} is not host:port, ray://host:port or auto")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise GwinError(
            f"cannot reach a Ray cluster at {address} ({reason}); check that it is running "
            "(`ray status` on its head node) or drop --address to run on this machine"
        ) from err
