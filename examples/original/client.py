#!/usr/bin/env python3
"""The original service-migration example's client, as mignet's tests and examples run it: every second it asks
10.0.0.12:8888 for the counter and blocks in recvfrom without any timeout, as the original does, so one lost
request hangs it for good. Output is printed without flushing, as the original does."""
import socket
import time

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    sock.sendto(b"Show me the counter, please!", ("10.0.0.12", 8888))
    data, _ = sock.recvfrom(1024)
    print("Current counter:", data.decode())
    time.sleep(1)
