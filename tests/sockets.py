"""Which addresses a set of processes listens on, read from /proc (Linux), for the tests that
check that Ray stays on loopback."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def listening_hosts(pids: set[int]) -> set[str]:
    """Local IPs of TCP sockets in LISTEN state owned by `pids` (from /proc/net/tcp*)."""
    inodes = set()
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:["):
                    inodes.add(link[8:-1])
        except OSError:
            continue
    hosts = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                hex_ip = fields[1].split(":")[0]
                hosts.add(_decode_ip(hex_ip) if width == 8 else _decode_ip6(hex_ip))
    return hosts


def _decode_ip(hex_ip: str) -> str:
    return ".".join(str(b) for b in reversed(bytes.fromhex(hex_ip)))


def _decode_ip6(hex_ip: str) -> str:
    words = [bytes.fromhex(hex_ip[i : i + 8])[::-1] for i in range(0, 32, 8)]
    raw = b"".join(words)
    if raw[:12] == b"\0" * 10 + b"\xff\xff":  # IPv4-mapped
        return ".".join(str(b) for b in raw[12:])
    return socket.inet_ntop(socket.AF_INET6, raw)


def descendants(root: int) -> set[int]:
    """Every live process whose chain of parents reaches `root` (from /proc/*/stat)."""
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                text = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent[int(entry)] = int(text[text.rindex(")") + 2 :].split()[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, ppid in parent.items() if ppid in frontier} - found
        found |= frontier
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)
