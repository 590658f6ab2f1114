"""Tests of mignet_handover: the frames, and the failure rules of docs/handover-protocol.md, on loopback.

The example counter service runs as a real process; the other side of the state channel is played by hand
here, so that it can misbehave (a wrong checksum, a connection cut before the acknowledgement, silence).
Run: python3 -m unittest discover -s python -v
"""

import os
import signal
import socket
import struct
import subprocess
import sys
import time
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mignet_handover as mh  # noqa: E402

SERVICE = os.path.join(HERE, "..", "examples", "python", "counter_service.py")
LO = "127.0.0.1"
TIMEOUT = 5.0


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((LO, 0))
        return s.getsockname()[1]


def request(seq, client="t1"):
    return ("Show me the counter, please! [%s:%d]" % (client, seq)).encode()


def state_bytes(counter):
    return struct.pack(">qi", counter, 0)


class Service:
    """The example service as a process, with its event lines read as they come."""

    def __init__(self, *extra):
        self.handover_port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, SERVICE, "--listen", "%s:0" % LO, "--handover-port", str(self.handover_port)]
            + list(extra), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.udp = None
        self.client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.client.bind((LO, 0))
        self.client.settimeout(TIMEOUT)

    def await_event(self, name):
        """The fields of the next event ``name``; fails on an earlier end of the output."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline().decode()
            if not line:
                raise AssertionError("the service ended before event %s (status %s)" % (name, self.proc.poll()))
            if line.startswith("@mignet event=%s" % name) and (
                    len(line) == len("@mignet event=%s\n" % name) or line[len("@mignet event=%s" % name)] == " "):
                fields = dict(p.split("=", 1) for p in line.split()[1:])
                if name == "serving":
                    host, port = fields["listen"].rsplit(":", 1)
                    self.udp = (host, int(port))
                return fields
        raise AssertionError("no event %s within %.0f s" % (name, TIMEOUT))

    def ask(self, seq):
        self.client.sendto(request(seq), self.udp)
        return self.client.recvfrom(512)[0].decode()

    def command(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def connect_as_successor(self):
        sock = socket.create_connection((LO, self.handover_port), timeout=TIMEOUT)
        sock.sendall(b"H")
        self.assertions_recv(sock, b"N")
        self.await_event("successor-connected")
        return sock

    @staticmethod
    def assertions_recv(sock, expected):
        got = b""
        while len(got) < len(expected):
            chunk = sock.recv(len(expected) - len(got))
            if not chunk:
                raise AssertionError("connection closed; expected %r" % expected)
            got += chunk
        if got != expected:
            raise AssertionError("expected %r, got %r" % (expected, got))

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for s in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            s.close()
        self.client.close()


def assert_ends_after_probes(test, sock):
    """Only tail probes (N) may still come, then the end of the connection."""
    sock.settimeout(TIMEOUT)
    while True:
        data = sock.recv(64)
        if not data:
            return
        test.assertEqual(data.strip(b"N"), b"", "only probes before the end")


def read_state_frame(sock):
    reader = mh.FrameReader()
    sock.settimeout(TIMEOUT)
    while True:
        frame = reader.next()
        if frame is not None and frame[0] == "S":
            return frame, reader
        if frame is None:
            data = sock.recv(65536)
            if not data:
                raise AssertionError("closed before the state")
            reader.feed(data)


class FrameTest(unittest.TestCase):
    def test_frames_fed_byte_by_byte(self):
        state = b"\x00\x01state"
        wire = (b"H" + b"N" + b"S" + struct.pack(">i", len(state)) + state
                + struct.pack(">q", zlib.crc32(state)) + b"A" + struct.pack(">q", zlib.crc32(state))
                + b"F" + bytes([4]) + socket.inet_aton("10.0.0.11") + struct.pack(">HH", 4242, 3) + b"abc")
        reader = mh.FrameReader()
        frames = []
        for b in wire:
            reader.feed(bytes([b]))
            frame = reader.next()
            if frame is not None:
                frames.append(frame)
        self.assertEqual(frames, [("H",), ("N",), ("S", state, True), ("A", zlib.crc32(state)),
                                  ("F", b"abc", ("10.0.0.11", 4242))])
        self.assertEqual(reader.pending(), 0)

    def test_a_corrupted_state_is_recognized(self):
        state = b"counter"
        wire = b"S" + struct.pack(">i", len(state)) + b"counteR" + struct.pack(">q", zlib.crc32(state))
        reader = mh.FrameReader()
        reader.feed(wire)
        self.assertEqual(reader.next(), ("S", b"counteR", False))

    def test_an_unknown_frame_is_an_error(self):
        reader = mh.FrameReader()
        reader.feed(b"X")
        with self.assertRaises(mh.HandoverError):
            reader.next()

    def test_durations_and_addresses(self):
        self.assertAlmostEqual(mh.parse_duration("5ms"), 0.005)
        self.assertAlmostEqual(mh.parse_duration("500us"), 0.0005)
        self.assertEqual(mh.parse_address("192.168.0.12:9999"), ("192.168.0.12", 9999))
        with self.assertRaises(ValueError):
            mh.parse_address("192.168.0.12")


class OldInstanceTest(unittest.TestCase):
    """The old instance keeps serving whenever the handover does not end with the right acknowledgement."""

    def setUp(self):
        self.service = Service("--ack-timeout", "300ms")
        self.addCleanup(self.service.close)
        self.service.await_event("serving")
        self.assertEqual(self.service.ask(1), "1 [t1:1]")

    def hand_over(self):
        sock = self.service.connect_as_successor()
        self.addCleanup(sock.close)
        self.service.command("handover")
        frame, reader = read_state_frame(sock)
        self.assertTrue(frame[2], "the state's checksum holds")
        return sock, frame[1], reader

    def assert_still_serving(self, reason):
        self.assertEqual(self.service.await_event("handover-failed")["reason"], reason)
        self.assertEqual(self.service.ask(2), "2 [t1:2]")

    def test_the_original_plain_request_gets_the_bare_counter_and_other_datagrams_nothing(self):
        self.service.client.sendto(b"hello?", self.service.udp)
        self.service.client.sendto(b"Show me the counter, please!", self.service.udp)
        self.assertEqual(self.service.client.recvfrom(512)[0], b"2")

    def test_handover_without_a_successor_fails_and_it_serves_on(self):
        self.service.command("handover")
        self.assert_still_serving("no-successor")

    def test_a_wrong_checksum_in_the_ack_rolls_back(self):
        sock, state, _ = self.hand_over()
        sock.sendall(b"A" + struct.pack(">q", zlib.crc32(state) ^ 1))
        self.assert_still_serving("checksum")

    def test_a_connection_cut_before_the_ack_rolls_back(self):
        sock, _, _ = self.hand_over()
        sock.close()
        self.assert_still_serving("io")

    def test_no_ack_in_time_rolls_back(self):
        self.hand_over()
        self.assert_still_serving("timeout")

    def test_after_the_ack_late_requests_are_forwarded_and_it_exits_in_order(self):
        sock, state, reader = self.hand_over()
        self.assertEqual(struct.unpack(">q", state[:8])[0], 1, "the state carries the counter")
        sock.sendall(b"A" + struct.pack(">q", zlib.crc32(state)))
        self.service.await_event("handed-over")
        self.service.client.sendto(request(2), self.service.udp)
        while True:
            frame = reader.next()
            if frame is None:
                reader.feed(sock.recv(65536))
            elif frame[0] == "F":
                break
        self.assertEqual(frame[1], request(2))
        self.assertEqual(frame[2], self.service.client.getsockname())
        self.service.proc.send_signal(signal.SIGTERM)
        # The old instance ends its side once it has forwarded everything.
        self.assertEqual(reader.pending(), 0)
        assert_ends_after_probes(self, sock)
        sock.close()
        self.assertEqual(self.service.proc.wait(TIMEOUT), 0)

    def test_sigterm_with_a_successor_hands_over_before_exiting(self):
        sock = self.service.connect_as_successor()
        self.addCleanup(sock.close)
        self.service.proc.send_signal(signal.SIGTERM)
        frame, _ = read_state_frame(sock)
        sock.sendall(b"A" + struct.pack(">q", zlib.crc32(frame[1])))
        self.service.await_event("handed-over")
        assert_ends_after_probes(self, sock)
        sock.close()
        self.assertEqual(self.service.proc.wait(TIMEOUT), 0)


class SuccessorTest(unittest.TestCase):
    """The successor acknowledges only an intact state, and serves the requests forwarded behind it."""

    def setUp(self):
        self.old = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.old.bind((LO, 0))
        self.old.listen(1)
        self.addCleanup(self.old.close)
        self.service = Service("--state-from", "%s:%d" % self.old.getsockname())
        self.addCleanup(self.service.close)
        self.old.settimeout(TIMEOUT)
        self.channel, _ = self.old.accept()
        self.addCleanup(self.channel.close)
        self.channel.settimeout(TIMEOUT)
        Service.assertions_recv(self.channel, b"H")
        self.channel.sendall(b"N")
        self.service.await_event("awaiting-state")

    def send_state(self, state, sent_checksum):
        self.channel.sendall(b"S" + struct.pack(">i", len(state)) + state + struct.pack(">q", sent_checksum) + b"N")

    def test_a_corrupted_state_is_not_acknowledged_and_it_exits(self):
        state = state_bytes(41)
        self.send_state(state, zlib.crc32(state) ^ 0xFF)
        self.assertEqual(self.service.await_event("takeover-failed")["reason"], "checksum")
        self.assertEqual(self.channel.recv(16), b"", "no acknowledgement")
        self.assertEqual(self.service.proc.wait(TIMEOUT), 1)

    def test_a_state_the_service_rejects_is_not_acknowledged(self):
        state = b"\x00\x01"  # too short for a counter
        self.send_state(state, zlib.crc32(state))
        self.assertEqual(self.service.await_event("takeover-failed")["reason"], "rejected")
        self.assertEqual(self.channel.recv(16), b"")

    def test_it_acknowledges_serves_forwarded_requests_once_and_then_its_own(self):
        state = state_bytes(41)
        self.send_state(state, zlib.crc32(state))
        Service.assertions_recv(self.channel, b"A" + struct.pack(">q", zlib.crc32(state)))
        received = self.service.await_event("state-received")
        self.assertEqual(received["counter"], "41")
        self.assertTrue(int(received["at"]) > 0)
        self.service.await_event("serving")
        # A request that reached the old instance late, forwarded with its client's address: the successor
        # answers that client directly, from its own service socket.
        source = self.service.client.getsockname()
        self.channel.sendall(b"F" + bytes([4]) + socket.inet_aton(source[0]) + struct.pack(">HH", source[1],
                                                                                      len(request(7)))
                             + request(7))
        reply, sender = self.service.client.recvfrom(512)
        self.assertEqual(reply.decode(), "42 [t1:7]")
        self.assertEqual(sender, self.service.udp)
        self.assertEqual(self.service.ask(7), "42 [t1:7]", "a retry of a forwarded request is not counted again")
        self.assertEqual(self.service.ask(8), "43 [t1:8]")
        self.channel.shutdown(socket.SHUT_WR)
        self.assertEqual(self.channel.recv(16), b"", "it closes its end when the old instance is done")


if __name__ == "__main__":
    unittest.main()
