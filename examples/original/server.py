#!/usr/bin/env python3
"""The original service-migration example's counter service, protocol for protocol, as mignet's tests and examples run it.

Takes the name of its host: 'h2' selects the internal address 192.168.0.12 (peer 192.168.0.13), anything else
192.168.0.13 (peer 192.168.0.12). With --get_state it first binds its own internal address on UDP 9999 and waits
for one datagram holding the counter. Then it counts requests on 10.0.0.12:8888, replying with the counter and
sleeping 0.5 s after each reply. On SIGTERM it sends its counter six times by UDP to the peer's port 9999 and keeps
running. Output is printed without flushing, as the original does (it ran with a terminal).
"""
import argparse
import signal
import socket
import time

parser = argparse.ArgumentParser()
parser.add_argument("hostname")
parser.add_argument("--get_state", action="store_true")
args = parser.parse_args()

OWN = "192.168.0.12" if args.hostname == "h2" else "192.168.0.13"
PEER = "192.168.0.13" if args.hostname == "h2" else "192.168.0.12"
counter = 0


def send_state(signum, frame):
    out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(6):
        out.sendto(str(counter).encode(), (PEER, 9999))
    out.close()
    print("Sent the counter", counter, "to", PEER)


if args.get_state:
    state = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    state.bind((OWN, 9999))
    data, _ = state.recvfrom(1024)
    counter = int(data.decode())
    state.close()
    print("Got the counter", counter)

signal.signal(signal.SIGTERM, send_state)
service = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
service.bind(("10.0.0.12", 8888))
print("Serving from", counter)
while True:
    data, client = service.recvfrom(1024)
    counter += 1
    service.sendto(str(counter).encode(), client)
    time.sleep(0.5)
