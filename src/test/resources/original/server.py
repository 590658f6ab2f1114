#!/usr/bin/env python3
"""The original example's counter service, protocol for protocol, written for mignet's tests.

Counts requests on 10.0.0.12:8888 and answers with the counter. With --get_state it first waits for the
counter on UDP port 9999. On SIGTERM it sends its counter six times by UDP to the peer's internal address,
port 9999, "to avoid losses", and exits.
"""
import argparse
import signal
import socket
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--get_state", action="store_true")
parser.add_argument("--peers", required=True, help="internal addresses of both hosts, comma-separated")
args = parser.parse_args()
counter = 0


def is_own_address(address):
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect((address, 9999))
        return probe.getsockname()[0] == address
    finally:
        probe.close()


def hand_over(signum, frame):
    out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for peer in args.peers.split(","):
        if not is_own_address(peer):
            for _ in range(6):
                out.sendto(str(counter).encode(), (peer, 9999))
    print("Sent the counter", counter, "to the peer", flush=True)
    sys.exit(0)


if args.get_state:
    state = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    state.bind(("0.0.0.0", 9999))
    data, _ = state.recvfrom(1024)
    counter = int(data.decode())
    state.close()
    print("Got the counter", counter, flush=True)

signal.signal(signal.SIGTERM, hand_over)
service = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
service.bind(("10.0.0.12", 8888))
print("Serving from", counter, flush=True)
while True:
    data, client = service.recvfrom(1024)
    counter += 1
    service.sendto(str(counter).encode(), client)
