#!/usr/bin/env python3
"""The original example's client, written for mignet's tests: asks 10.0.0.12:8888 for the counter every
interval and waits for the answer without any timeout, as the original does."""
import socket
import sys
import time

interval = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    sock.sendto(b"Show me the counter, please!", ("10.0.0.12", 8888))
    data, _ = sock.recvfrom(1024)
    print("Current counter:", data.decode(), flush=True)
    time.sleep(interval)
