"""The service side of mignet's handover protocol (docs/handover-protocol.md), in plain Python 3.

A service that wants to move between hosts with a pause of a few milliseconds gives this module three
callbacks and its UDP socket; the module does the rest: it listens for a successor, hands the state over when
mignet asks (``handover`` on standard input, or SIGTERM), waits for the successor's acknowledgement, forwards
the requests that still reach the old instance, and exits. Started with ``--state-from IP:PORT``, the same
program is the successor: it takes the state from the running instance first, then serves.

    import socket, sys, mignet_handover

    parser = argparse.ArgumentParser()
    mignet_handover.add_arguments(parser)          # --handover-port, --state-from, --ack-timeout, ...
    args = parser.parse_args()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("10.0.0.12", 8888))                  # bind before taking the state: requests wait in it
    service = mignet_handover.HandoverService(
        udp,
        get_state=lambda: my_state_as_bytes(),     # called once, at the freeze
        set_state=lambda data: load(data),         # called once, in the successor, before it serves
        handle=lambda payload, source: reply,      # one request -> the reply (bytes) or None
        describe=lambda: {"counter": n},           # optional: extra fields for the event lines
        **mignet_handover.options(args))
    sys.exit(service.run())

Everything runs on the calling thread (one ``selectors`` loop), so callbacks never run concurrently and need no
locks. Only the standard library is used.
"""

import errno
import os
import re
import selectors
import signal
import socket
import struct
import sys
import time
import zlib

__all__ = [
    "HandoverService", "HandoverError", "StateChannel", "FrameReader", "emit_event", "checksum",
    "set_rto_min", "add_arguments", "options", "parse_duration", "parse_address",
    "DEFAULT_HANDOVER_PORT", "MAX_STATE_BYTES",
]

DEFAULT_HANDOVER_PORT = 9999
MAX_STATE_BYTES = 64 << 20

# Frame types: the first byte of every frame on the state channel.
HELLO = b"H"
NOOP = b"N"
STATE = b"S"
ACK = b"A"
FORWARD = b"F"

_INT = struct.Struct(">i")
_LONG = struct.Struct(">q")
_SHORT = struct.Struct(">H")

# Linux's TCP_RTO_MIN_US (6.15 and later); Python's socket module does not name it yet.
TCP_RTO_MIN_US = getattr(socket, "TCP_RTO_MIN_US", 45)
TCP_RTO_MAX_MS = getattr(socket, "TCP_RTO_MAX_MS", 44)  # same kernels (6.15+)
# The kernel refuses less than two of its clock ticks; two ticks at its coarsest clock (100 Hz).
_TWO_COARSE_TICKS = 0.020

EVENT_PREFIX = "@mignet "


class HandoverError(Exception):
    """The state could not be taken over or handed over; the message says why, ``reason`` in one word (io,
    timeout, checksum, protocol) as the event lines carry it."""

    def __init__(self, message, reason="protocol"):
        super().__init__(message)
        self.reason = reason


def checksum(data):
    """CRC-32 of the state, as the acknowledgement carries it (an unsigned 32-bit value)."""
    return zlib.crc32(data) & 0xFFFFFFFF


def emit_event(name, stream=None, **fields):
    """Prints ``@mignet event=NAME key=value ...`` and flushes at once: mignet times the handover from these
    lines as it reads them, and a line sitting in a buffer is a line mignet has not seen."""
    stream = stream if stream is not None else sys.stderr
    parts = [EVENT_PREFIX + "event=" + name]
    for key, value in fields.items():
        if not re.fullmatch(r"[a-z_-]+", key):
            raise ValueError("event field %r: keys are lowercase words ([a-z_-]+)" % key)
        text = re.sub(r"\s", "_", str(value)) or "-"  # one word, so the line stays key=value pairs
        parts.append("%s=%s" % (key, text))
    stream.write(" ".join(parts) + "\n")
    stream.flush()


def set_rto_min(sock, seconds):
    """Sets the minimum retransmission timeout of ``sock`` (a listening socket: the connections it accepts
    inherit it), and its maximum to 1 s. By default a lost segment waits at least 200 ms for its retransmission, on an internal network
    whose round trip is a few milliseconds. Returns the value set, which is 20 ms when the kernel's clock is
    too coarse for less. Raises OSError when the kernel lacks the option (ENOPROTOOPT before Linux 6.15)."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, TCP_RTO_MIN_US, int(seconds * 1e6))
        chosen = seconds
    except OSError as e:
        if e.errno != errno.EINVAL or seconds >= _TWO_COARSE_TICKS:
            raise
        sock.setsockopt(socket.IPPROTO_TCP, TCP_RTO_MIN_US, int(_TWO_COARSE_TICKS * 1e6))
        chosen = _TWO_COARSE_TICKS
    # Each lost retransmission doubles the wait, up to two minutes by default: under heavy loss on the state
    # network a few in a row stalled a transfer for many seconds. 1 s is the least maximum the kernel takes.
    sock.setsockopt(socket.IPPROTO_TCP, TCP_RTO_MAX_MS, 1000)
    return chosen


def parse_duration(text):
    """``5ms``, ``10s``, ``500us`` -> seconds, like mignet's own options."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(us|ms|s)\s*", text)
    if not m:
        raise ValueError("%r is not a duration: write 10ms, 1s or 500us" % text)
    return float(m.group(1)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[m.group(2)]


def parse_address(text):
    """``IP:PORT`` -> (ip, port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError("%r must be ADDRESS:PORT, e.g. 192.168.0.12:9999" % text)
    return host.strip("[]"), int(port)


def add_arguments(parser):
    """Adds the protocol's command-line options to an ``argparse`` parser. mignet starts the successor with
    the old instance's command line plus ``--state-from OLD_IP:PORT``."""
    parser.add_argument("--handover-port", type=int, default=DEFAULT_HANDOVER_PORT,
                        help="TCP port on which this instance waits for a successor (default %(default)s)")
    parser.add_argument("--state-from", type=parse_address, default=None, metavar="IP:PORT",
                        help="start as successor: take the state from the instance listening there")
    parser.add_argument("--ack-timeout", type=parse_duration, default=parse_duration("10s"), metavar="DURATION",
                        help="how long the old instance waits for the acknowledgement (default 10s)")
    parser.add_argument("--handover-rto-min", type=parse_duration, default=parse_duration("5ms"),
                        metavar="DURATION",
                        help="TCP's minimum retransmission timeout on the handover port (default 5ms; 0ms: "
                             "the kernel's, 200 ms)")
    return parser


def options(args):
    """The keyword arguments of :class:`HandoverService` from parsed :func:`add_arguments` options."""
    return {"handover_port": args.handover_port, "state_from": args.state_from,
            "ack_timeout": args.ack_timeout, "rto_min": args.handover_rto_min}


def _address_bytes(source):
    host = source[0]
    try:
        return socket.inet_pton(socket.AF_INET, host)
    except OSError:
        return socket.inet_pton(socket.AF_INET6, host.split("%")[0])


def _abort(sock):
    """Closes a given-up attempt with a reset: a plain close would leave the kernel resending its unanswered
    hello, which could reach the old instance after the next attempt's and displace it there (the newest hello
    wins)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def _peer(sock):
    try:
        host, port = sock.getpeername()[:2]
        return "%s:%d" % (host, port)
    except OSError:
        return "?"


class FrameReader:
    """Cuts the bytes of the state channel into frames. ``feed`` bytes as they arrive, then take ``next()``
    until it returns None (an incomplete frame stays buffered). Frames are tuples: ``("H",)``, ``("N",)``,
    ``("S", state, checksum_ok)``, ``("A", checksum)``, ``("F", payload, (ip, port))``."""

    def __init__(self):
        self._buf = bytearray()

    def feed(self, data):
        self._buf += data

    def pending(self):
        return len(self._buf)

    def next(self):
        b = self._buf
        if not b:
            return None
        kind = bytes(b[:1])
        if kind in (HELLO, NOOP):
            del b[:1]
            return (kind.decode(),)
        if kind == ACK:
            if len(b) < 9:
                return None
            value = _LONG.unpack_from(b, 1)[0]
            del b[:9]
            return ("A", value)
        if kind == STATE:
            if len(b) < 5:
                return None
            length = _INT.unpack_from(b, 1)[0]
            if length < 0 or length > MAX_STATE_BYTES:
                raise HandoverError("state of %d bytes refused (at most %d)" % (length, MAX_STATE_BYTES))
            if len(b) < 5 + length + 8:
                return None
            state = bytes(b[5:5 + length])
            sent = _LONG.unpack_from(b, 5 + length)[0]
            del b[:5 + length + 8]
            return ("S", state, sent == checksum(state))
        if kind == FORWARD:
            if len(b) < 2:
                return None
            alen = b[1]
            if alen not in (4, 16):
                raise HandoverError("forwarded request with a %d-byte address" % alen)
            head = 2 + alen + 2 + 2
            if len(b) < head:
                return None
            port = _SHORT.unpack_from(b, 2 + alen)[0]
            length = _SHORT.unpack_from(b, 2 + alen + 2)[0]
            if len(b) < head + length:
                return None
            family = socket.AF_INET if alen == 4 else socket.AF_INET6
            ip = socket.inet_ntop(family, bytes(b[2:2 + alen]))
            payload = bytes(b[head:head + length])
            del b[:head + length]
            return ("F", payload, (ip, port))
        raise HandoverError("unknown frame type %r on the state channel" % kind)


class StateChannel:
    """One TCP connection between an instance and its successor, and the frames on it (see the protocol
    document). Sends are whole frames with TCP_NODELAY, so each leaves at once in segments of its own."""

    def __init__(self, sock):
        self.sock = sock
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = FrameReader()
        self.peer = _peer(sock)

    def send_hello(self):
        self.sock.sendall(HELLO)

    def send_noop(self):
        """The answer to the hello, and the tail probe behind the state: a one-byte segment whose selective
        acknowledgement lets TCP resend a lost segment before it within about one round trip."""
        self.sock.sendall(NOOP)

    def send_state(self, state):
        self.sock.sendall(STATE + _INT.pack(len(state)) + state + _LONG.pack(checksum(state)))
        self.send_noop()

    def send_ack(self, state):
        self.sock.sendall(ACK + _LONG.pack(checksum(state)))

    def forward(self, payload, source):
        if len(payload) > 0xFFFF:
            raise HandoverError("a request of %d bytes cannot be forwarded" % len(payload))
        address = _address_bytes(source)
        self.sock.sendall(FORWARD + bytes([len(address)]) + address + _SHORT.pack(source[1])
                          + _SHORT.pack(len(payload)) + payload)

    def receive(self):
        """Reads what is there (the socket must be readable); False at the end of the connection."""
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError, socket.timeout):
            return True
        except OSError:
            return False
        if not data:
            return False
        self.reader.feed(data)
        return True

    def read_frame(self, deadline):
        """Blocks until a whole frame is there or ``deadline`` (time.monotonic(); None: no limit) passes."""
        while True:
            frame = self.reader.next()
            if frame is not None:
                return frame
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise HandoverError("%s sent no complete frame in time" % self.peer, "timeout")
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                raise HandoverError("%s closed the connection" % self.peer, "io")
            self.reader.feed(data)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class _Terminated(Exception):
    pass


_SERVING, _FORWARDING, _STOPPED = "serving", "forwarding", "stopped"


class HandoverService:
    """Serves a UDP service and hands its state over to a successor; see the module's documentation.

    ``get_state() -> bytes`` freezes and returns the whole state (called at the freeze, once per handover);
    ``set_state(bytes)`` installs the state in the successor, before it serves; ``handle(payload, source) ->
    bytes | None`` answers one request (sent back from ``udp_socket`` to ``source``); ``describe() -> dict``
    (optional) adds fields to the event lines, e.g. ``{"counter": 7}``.

    ``handover_port``: the TCP port this instance listens on for its successor (all addresses). ``state_from``:
    (ip, port) of the old instance when this one is the successor. ``ack_timeout``: seconds the old instance
    waits for the acknowledgement before it serves again. ``rto_min``: TCP's minimum retransmission timeout on
    the handover port (0 leaves the kernel's). ``out`` and ``events``: where the human lines and the event
    lines go (stdout, stderr).
    """

    CONNECT_TIMEOUT = 30.0
    HELLO_TIMEOUT = 30.0
    ANSWER_TIMEOUT = 10.0  # ten retransmissions at the 1 s maximum retransmission timeout
    FINISH_TIMEOUT = 2.0

    def __init__(self, udp_socket, get_state, set_state, handle, describe=None, handover_port=DEFAULT_HANDOVER_PORT,
                 state_from=None, ack_timeout=10.0, rto_min=0.005, out=None, events=None):
        self.udp = udp_socket
        self.get_state = get_state
        self.set_state = set_state
        self.handle = handle
        self.describe = describe or (lambda: {})
        self.handover_port = handover_port
        self.state_from = state_from
        self.ack_timeout = ack_timeout
        self.rto_min = rto_min
        self.out = out if out is not None else sys.stdout
        self.events = events if events is not None else sys.stderr
        self.mode = _SERVING
        self.listener = None
        self.successor = None        # StateChannel to the successor, once it said hello
        self.predecessor = None      # StateChannel from the old instance, which forwards late requests on it
        self.pending = {}            # accepted connections that have not said hello yet -> deadline
        self.awaiting_ack = None     # (state, started_ns, frozen_ns, fields) while the ack is due
        self.ack_deadline = None
        self.terminating = False
        self.in_take_over = False
        self.stdin_buffer = b""
        self.selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()

    # ---- output -------------------------------------------------------------------------------------------

    def say(self, text):
        self.out.write(text + "\n")
        self.out.flush()

    def event(self, name, **fields):
        emit_event(name, self.events, **fields)

    # ---- start --------------------------------------------------------------------------------------------

    def run(self):
        """Takes the state over if ``state_from`` was given, then serves until SIGTERM (or SIGINT) after
        which it hands over to a waiting successor if it has not yet, and returns the exit status."""
        self._install_signals()
        try:
            self.listen()
        except OSError as e:
            self.say("cannot listen for a successor on TCP port %d: %s" % (self.handover_port, e))
            return 1
        try:
            if self.state_from is not None:
                self.take_state()
            else:
                self.say("Serving on %s, fresh state" % self._udp_name())
        except _Terminated:
            self.say("stopped before the state was taken over")
            return 143
        except (HandoverError, OSError) as e:
            self.say("cannot take the state from %s:%d: %s" % (self.state_from[0], self.state_from[1], e))
            self.event("takeover-failed", reason=getattr(e, "reason", "io"))
            return 1
        self.event("serving", listen=self._udp_name(), **self.describe())
        return self.serve()

    def _udp_name(self):
        host, port = self.udp.getsockname()[:2]
        return "%s:%d" % (host, port)

    def _install_signals(self):
        for s in (self._wake_r, self._wake_w):
            s.setblocking(False)
        signal.set_wakeup_fd(self._wake_w.fileno(), warn_on_full_buffer=False)
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum, frame):
        self.terminating = True
        if self.in_take_over:
            raise _Terminated()

    def listen(self):
        """Listens for successors on the handover port, with the lowered retransmission timeout."""
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("", self.handover_port))
        server.listen(8)
        server.setblocking(False)
        self.listener = server
        if self.rto_min > 0:
            try:
                got = set_rto_min(server, self.rto_min)
                if got != self.rto_min:
                    self.say("TCP's minimum retransmission timeout on the handover port is %.0f ms: the kernel's "
                             "clock is too coarse for %.1f ms" % (got * 1e3, self.rto_min * 1e3))
            except OSError as e:
                self.say("TCP's retransmission timeouts on the handover port are not all set (%s): a lost "
                         "state segment may wait 200 ms or more, and longer after each loss" % e)

    # ---- successor side -----------------------------------------------------------------------------------

    def take_state(self):
        """Connects to the old instance, says hello, waits for its answer, then for the state; verifies the
        checksum, installs the state and acknowledges it. Late requests forwarded behind the state are
        served by :meth:`serve`."""
        self.in_take_over = True
        try:
            if self.terminating:
                raise _Terminated()
            channel = self._connect(self.state_from)
            try:
                self.say("Waiting for the state from %s" % channel.peer)
                self.event("awaiting-state", **{"from": channel.peer})
                frame = channel.read_frame(None)
                while frame[0] == "N":
                    frame = channel.read_frame(None)
                if frame[0] != "S":
                    raise HandoverError("expected the state, got frame %r" % (frame[0],))
                _, state, intact = frame
                if not intact:
                    raise HandoverError("state checksum mismatch (%d bytes): not acknowledged" % len(state), "checksum")
                try:
                    self.set_state(state)
                except Exception as e:  # the service's own check of its state failed: no acknowledgement
                    raise HandoverError("the service rejected the state: %s" % e, "rejected") from e
                channel.send_ack(state)
            except BaseException:
                channel.close()
                raise
        finally:
            self.in_take_over = False
        ready_ns = time.time_ns()  # what is left before serving is a few lines of bookkeeping
        channel.sock.setblocking(False)
        self.predecessor = channel
        fields = self.describe()
        self.say("Got the state from %s: %d bytes %s" % (channel.peer, len(state),
                                                         " ".join("%s %s" % kv for kv in fields.items())))
        self.event("state-received", bytes=len(state), at=ready_ns, **fields)

    def _connect(self, address):
        """Connects and says hello; returns the channel once the old instance answered, retrying while it is not
        there yet. The lowered retransmission timeout is set before the handshake, whose round trip then starts
        the estimate with it (set later, it would take effect only slowly): a lost hello or acknowledgement is
        resent within milliseconds too. The kernel resends a lost SYN only after a second, so an attempt that
        gets no answer gives way to a fresh one sooner: after 0.25 s, each next one waiting twice as long up to
        2 s (a state network with a longer round trip still connects). A hello without an answer within
        ANSWER_TIMEOUT is a failed attempt as well."""
        deadline = time.monotonic() + self.CONNECT_TIMEOUT
        wait = 0.25
        while True:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                if self.rto_min > 0:
                    try:
                        set_rto_min(sock, self.rto_min)
                    except OSError:
                        pass  # the listener's attempt already said so
                sock.settimeout(wait)
                sock.connect(address)
                channel = StateChannel(sock)
                channel.send_hello()
                frame = channel.read_frame(time.monotonic() + self.ANSWER_TIMEOUT)
                if frame[0] != "N":
                    raise HandoverError("the old instance answered the hello with %r" % (frame[0],))
                return channel
            except (OSError, HandoverError) as e:
                _abort(sock)
                if time.monotonic() > deadline:
                    raise HandoverError("no old instance at %s:%d within %.0f s: %s"
                                        % (address[0], address[1], self.CONNECT_TIMEOUT, e), "io")
                if isinstance(e, socket.timeout):
                    wait = min(2.0, wait * 2)
                else:
                    time.sleep(0.02)

    # ---- the loop -----------------------------------------------------------------------------------------

    def serve(self):
        sel = self.selector
        self.udp.setblocking(False)
        sel.register(self.udp, selectors.EVENT_READ, "udp")
        sel.register(self.listener, selectors.EVENT_READ, "listen")
        sel.register(self._wake_r, selectors.EVENT_READ, "wake")
        try:
            # Left blocking: a read after select() returns what is there, and standard input may be a terminal
            # shared with other processes, whose file status flags must not change under them.
            sel.register(0, selectors.EVENT_READ, "stdin")
        except (OSError, ValueError):
            pass  # no standard input: only SIGTERM triggers the handover
        if self.predecessor is not None:
            sel.register(self.predecessor.sock, selectors.EVENT_READ, "predecessor")
            self._read_predecessor()  # requests forwarded right behind the state are already here
        while True:
            if self.terminating and self.awaiting_ack is None:
                if self.mode == _SERVING and self.successor is not None:
                    self.hand_over()
                    if self.awaiting_ack is not None:
                        continue
                return self._stop()
            for key, _ in sel.select(self._timeout()):
                what = key.data
                if what == "udp":
                    self._read_udp()
                elif what == "stdin":
                    self._read_stdin()
                elif what == "listen":
                    self._accept()
                elif what == "wake":
                    self._drain_wake()
                elif what == "predecessor":
                    self._read_predecessor()
                elif what == "successor":
                    self._read_successor()
                elif what == "pending":
                    self._read_pending(key.fileobj)
            self._check_deadlines()

    def _timeout(self):
        deadlines = list(self.pending.values())
        if self.ack_deadline is not None:
            deadlines.append(self.ack_deadline)
        if not deadlines:
            return None
        return max(0.0, min(deadlines) - time.monotonic())

    def _check_deadlines(self):
        now = time.monotonic()
        for sock, deadline in list(self.pending.items()):
            if now >= deadline:
                self._drop_pending(sock)
        if self.ack_deadline is not None and now >= self.ack_deadline:
            self._roll_back("timeout", "no acknowledgement within %.1f s" % self.ack_timeout)

    def _drain_wake(self):
        try:
            while self._wake_r.recv(512):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    # ---- requests -----------------------------------------------------------------------------------------

    def _read_udp(self):
        while True:
            try:
                payload, source = self.udp.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            self._request(payload, source)

    def _request(self, payload, source):
        if self.mode == _SERVING:
            try:
                reply = self.handle(payload, source)
            except Exception as e:  # one bad request must not take the service, and its state, down
                self.say("request from %s:%d failed: %r" % (source[0], source[1], e))
                return
            if reply is not None:
                try:
                    self.udp.sendto(reply, source)
                except OSError as e:
                    self.say("cannot answer %s:%d: %s" % (source[0], source[1], e))
        elif self.mode == _FORWARDING:
            # Never served here again: the state belongs to the successor from the freeze on.
            if self.successor is None:
                return
            try:
                self.successor.forward(payload, source)
            except (OSError, HandoverError) as e:
                self.say("cannot forward a request to the successor: %s" % e)

    def _read_predecessor(self):
        channel = self.predecessor
        alive = channel.receive()
        try:
            while True:
                frame = channel.reader.next()
                if frame is None:
                    break
                if frame[0] == "F":
                    self._request(frame[1], frame[2])
                elif frame[0] != "N":
                    raise HandoverError("unexpected frame %r after the state" % (frame[0],))
        except HandoverError as e:
            self.say("the old instance's channel: %s; closing it" % e)
            alive = False
        if not alive:
            # The old instance is done forwarding; closing our end lets it exit at once.
            self.selector.unregister(channel.sock)
            channel.close()
            self.predecessor = None

    # ---- control ------------------------------------------------------------------------------------------

    def _read_stdin(self):
        try:
            data = os.read(0, 4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.selector.unregister(0)  # no more commands; the service keeps running
            return
        self.stdin_buffer += data
        while b"\n" in self.stdin_buffer:
            line, self.stdin_buffer = self.stdin_buffer.split(b"\n", 1)
            command = line.decode("utf-8", "replace").strip()
            if command == "handover":
                self.hand_over()
            elif command == "state":
                self.say("state: %s" % " ".join("%s=%s" % kv for kv in self.describe().items()))
            elif command:
                self.say("unknown command %r: handover, state" % command)

    # ---- old instance side --------------------------------------------------------------------------------

    def _accept(self):
        while True:
            try:
                sock, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            sock.setblocking(False)
            self.pending[sock] = time.monotonic() + self.HELLO_TIMEOUT
            self.selector.register(sock, selectors.EVENT_READ, "pending")

    def _drop_pending(self, sock):
        self.pending.pop(sock, None)
        try:
            self.selector.unregister(sock)
        except (KeyError, ValueError):
            pass
        sock.close()

    def _read_pending(self, sock):
        try:
            first = sock.recv(1)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            first = b""
        if first != HELLO:
            self._drop_pending(sock)  # not a successor, or gone
            return
        self.pending.pop(sock, None)
        self.selector.unregister(sock)
        channel = StateChannel(sock)
        if self.awaiting_ack is not None or self.mode != _SERVING:
            channel.close()  # the state is already on its way elsewhere: no answer
            return
        sock.settimeout(self.ack_timeout)  # sends wait at most that long for room in the socket
        try:
            channel.send_noop()  # the hello answer: TCP has a round-trip measurement before the state goes
        except OSError:
            channel.close()
            return
        previous, self.successor = self.successor, channel
        if previous is not None:
            self.selector.unregister(previous.sock)
            previous.close()
        self.selector.register(sock, selectors.EVENT_READ, "successor")
        self.event("successor-connected", **{"from": channel.peer})

    def hand_over(self):
        """Freezes, sends the state and the tail probe; from now on requests are forwarded, not served."""
        if self.mode != _SERVING or self.awaiting_ack is not None:
            return
        channel = self.successor
        if channel is None:
            self.say("handover asked for, but no successor has connected; still serving")
            self.event("handover-failed", reason="no-successor")
            return
        started = time.monotonic_ns()
        frozen = time.time_ns()
        try:
            state = bytes(self.get_state())
        except Exception as e:
            self.say("the service could not give its state (%r); still serving" % e)
            self.event("handover-failed", reason="state")
            return
        if len(state) > MAX_STATE_BYTES:
            self.say("a state of %d bytes is more than the protocol carries (%d); still serving"
                     % (len(state), MAX_STATE_BYTES))
            self.event("handover-failed", reason="state")
            return
        fields = self.describe()
        try:
            channel.send_state(state)
        except OSError as e:
            self._roll_back("io", "cannot send the state: %s" % e)
            return
        self.mode = _FORWARDING
        self.awaiting_ack = (state, started, frozen, fields)
        self.ack_deadline = time.monotonic() + self.ack_timeout

    def _read_successor(self):
        channel = self.successor
        alive = channel.receive()
        try:
            frame = channel.reader.next()
        except HandoverError as e:
            self._lose_successor("protocol", str(e))
            return
        if frame is not None:
            if self.awaiting_ack is None or frame[0] != "A":
                self._lose_successor("protocol", "the successor sent %r unasked" % (frame[0],))
                return
            state, started, frozen, fields = self.awaiting_ack
            if frame[1] != checksum(state):
                self._roll_back("checksum", "the successor acknowledged checksum %d, not the state sent"
                                % frame[1])
                return
            self.awaiting_ack = None
            self.ack_deadline = None
            self.say("Handed the state over to %s: %d bytes %s" % (
                channel.peer, len(state), " ".join("%s %s" % kv for kv in fields.items())))
            self.event("handed-over", bytes=len(state), micros=(time.monotonic_ns() - started) // 1000,
                       frozen=frozen, **fields)
            return
        if not alive:
            self._lose_successor("io", "the successor closed the connection")

    def _lose_successor(self, reason, why):
        if self.awaiting_ack is not None:
            self._roll_back(reason, why)
            return
        channel, self.successor = self.successor, None
        if channel is not None:
            self.selector.unregister(channel.sock)
            channel.close()
        if self.mode == _SERVING:
            self.say("successor %s gone (%s); still serving" % (channel.peer if channel else "?", why))
            self.event("successor-lost", reason=reason)
        else:
            # The state was acknowledged: it is the successor's, whatever happens to it now.
            self.say("successor %s gone after the handover (%s); late requests are dropped"
                     % (channel.peer if channel else "?", why))

    def _roll_back(self, reason, why):
        """The handover failed before the acknowledgement: this instance still has the state and serves again.
        Requests forwarded in the meantime are lost with the connection (clients that retry ask again)."""
        channel, self.successor = self.successor, None
        self.awaiting_ack = None
        self.ack_deadline = None
        if self.mode == _FORWARDING:
            self.mode = _SERVING
        if channel is not None:
            try:
                self.selector.unregister(channel.sock)
            except (KeyError, ValueError):
                pass
            channel.close()
        self.say("handover to %s failed (%s); still serving" % (channel.peer if channel else "?", why))
        self.event("handover-failed", reason=reason)

    def _stop(self):
        """Passes on what still waits in the service socket, then closes the state channel in order so the
        last forwarded requests are delivered (a close with unread bytes would reset it and drop them)."""
        if self.mode == _FORWARDING:
            self._read_udp()
        self.mode = _STOPPED
        self.udp.close()
        self.listener.close()
        channel, self.successor = self.successor, None
        if channel is not None:
            try:
                channel.sock.shutdown(socket.SHUT_WR)
                deadline = time.monotonic() + min(self.ack_timeout, self.FINISH_TIMEOUT)
                channel.sock.setblocking(True)
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    channel.sock.settimeout(left)
                    if not channel.sock.recv(4096):
                        break
            except OSError:
                pass
            channel.close()
        if self.predecessor is not None:
            self.predecessor.close()
        self.say("stopped")
        return 0

