#!/usr/bin/env python3
"""The reference scenario's counting service in Python, migrating by mignet's handover protocol.

Each request on its UDP address increments a counter and is answered with it in decimal, as mignet's built-in
counter-service does: the original plain request ``Show me the counter, please!`` gets ``7``; a request with
an id, ``Show me the counter, please! [c1:42]``, gets ``7 [c1:42]``, and a retry of it (same id) is answered
from a reply cache instead of being counted again. Its state is byte for byte the built-in service's (the
counter, then the last reply per client), so either can take the state from the other.

    deploy counter h2 python3 examples/python/counter_service.py --listen 10.0.0.12:8888
    migrate counter h3           # from Java: Migration.of(apps, "counter").protocol(new CounterHandover())...

mignet starts the successor with the same command line plus ``--state-from OLD_IP:9999``. All the handover
work is done by python/mignet_handover.py; this file is only the service.
"""

import argparse
import collections
import os
import re
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import mignet_handover  # noqa: E402

REQUEST = "Show me the counter, please!"
_ID = re.compile(r" \[([A-Za-z0-9_.-]{1,32}):(\d{1,18})\]$")
MAX_CLIENTS = 10_000


class CounterState:
    """The counter and, per client, the last request answered and its counter (least recently used first)."""

    def __init__(self):
        self.counter = 0
        self.last_reply = collections.OrderedDict()  # client -> (seq, counter)

    def answer(self, payload):
        """The reply to one datagram, or None for one that is not a request or is an old duplicate."""
        text = payload.decode("utf-8", "replace").strip()
        if text == REQUEST:
            self.counter += 1
            return str(self.counter).encode()
        m = _ID.search(text)
        if not m or text[:m.start()] != REQUEST:
            return None
        client, seq = m.group(1), int(m.group(2))
        suffix = " [%s:%d]" % (client, seq)
        cached = self.last_reply.get(client)
        if cached is not None:
            self.last_reply.move_to_end(client)
            if seq == cached[0]:
                return (str(cached[1]) + suffix).encode()  # a retry: the same answer, not a new count
            if seq < cached[0]:
                return None
        self.counter += 1
        self.last_reply[client] = (seq, self.counter)
        self.last_reply.move_to_end(client)
        if len(self.last_reply) > MAX_CLIENTS:
            self.last_reply.popitem(last=False)
        return (str(self.counter) + suffix).encode()

    # The built-in service's encoding (Java DataOutputStream): counter (8 bytes), number of clients (4), then
    # per client its id (2-byte length + UTF-8), seq (8) and counter (8), least recently used first.
    def encode(self):
        parts = [struct.pack(">qi", self.counter, len(self.last_reply))]
        for client, (seq, value) in self.last_reply.items():
            name = client.encode()
            parts.append(struct.pack(">H", len(name)) + name + struct.pack(">qq", seq, value))
        return b"".join(parts)

    def load(self, data):
        counter, n = struct.unpack_from(">qi", data, 0)
        if not 0 <= n <= MAX_CLIENTS:
            raise ValueError("state names %d clients, more than %d" % (n, MAX_CLIENTS))
        at = 12
        cache = collections.OrderedDict()
        for _ in range(n):
            (length,) = struct.unpack_from(">H", data, at)
            client = data[at + 2:at + 2 + length].decode()
            seq, value = struct.unpack_from(">qq", data, at + 2 + length)
            cache[client] = (seq, value)
            at += 2 + length + 16
        if at != len(data):
            raise ValueError("state has %d bytes too many" % (len(data) - at))
        self.counter, self.last_reply = counter, cache


def main():
    parser = argparse.ArgumentParser(description="UDP counter service that migrates by mignet's handover "
                                                 "protocol")
    parser.add_argument("--listen", type=mignet_handover.parse_address, default=("10.0.0.12", 8888),
                        metavar="IP:PORT", help="the service address (default 10.0.0.12:8888)")
    mignet_handover.add_arguments(parser)
    args = parser.parse_args()

    # Bound before the state is taken: requests that arrive meanwhile wait in the socket.
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(args.listen)
    state = CounterState()
    service = mignet_handover.HandoverService(
        udp,
        get_state=state.encode,
        set_state=state.load,
        handle=lambda payload, source: state.answer(payload),
        describe=lambda: {"counter": state.counter},
        **mignet_handover.options(args))
    return service.run()


if __name__ == "__main__":
    sys.exit(main())
