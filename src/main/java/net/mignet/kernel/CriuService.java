package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static net.mignet.kernel.NativeCalls.callState;
import static net.mignet.kernel.NativeCalls.check;
import static net.mignet.kernel.NativeCalls.downcall;
import static net.mignet.kernel.NativeCalls.rethrow;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A criu started ahead of time as an RPC worker ({@code criu swrk FD}, criu.org/RPC), waiting on a socket for one
 * restore: loading criu (its root's dynamic loader resolving two dozen libraries, 4-5 ms on a quiet machine and far
 * more on a busy one) and spawning it happen before the app is frozen, and the restore itself costs one message
 * each way. criu runs in the machine's own namespaces and joins the target's network namespace for the restore,
 * as {@link Criu#restore} does; the restored tree becomes the JVM's child ({@code rst_sibling}).
 *
 * <p>The terminals a restore hands on must be given when the worker starts, since they are criu's own
 * descriptors; a restore asking for others is refused. Unused, {@link #close} ends the worker.
 */
public final class CriuService implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int O_DIRECTORY = 0x10000;
    private static final int O_RDWR = 2;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    /** criu's answers are a few dozen bytes; an error message a few hundred. */
    private static final int MAX_ANSWER = 1 << 16;
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(5);
    private static final int LOG_LEVEL = 4;

    private static final MethodHandle SOCKETPAIR = downcall("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SEND = downcall("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECV = downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    private final long pid;
    private final int socket;
    private final List<CriuRestoreOptions.InheritedTerminal> terminals;
    private final CompletableFuture<OptionalInt> exit = new CompletableFuture<>();
    private boolean used;
    private boolean closed;

    private CriuService(long pid, int socket, List<CriuRestoreOptions.InheritedTerminal> terminals) {
        this.pid = pid;
        this.socket = socket;
        this.terminals = List.copyOf(terminals);
        Thread.ofPlatform().daemon().name("criu-swrk-" + pid).start(() -> exit.complete(ProcessExit.await(pid)));
    }

    /**
     * Starts {@code criuCommand swrk} with {@code terminals} (held descriptors only) as its descriptors, ready for
     * one {@link #restore}.
     */
    static CriuService start(List<String> criuCommand, List<CriuRestoreOptions.InheritedTerminal> terminals) {
        return start(null, criuCommand, terminals);
    }

    /**
     * Starts {@code criuCommand swrk} inside the network namespace {@code namespace} (entered by the spawning
     * thread only), ready for one {@link #dump} of a process of that namespace: criu dumping from inside it treats
     * the namespace as its own and does not try to dump it.
     */
    static CriuService startIn(String namespace, List<String> criuCommand) {
        return start(namespace, criuCommand, List.of());
    }

    private static CriuService start(String namespace, List<String> criuCommand,
            List<CriuRestoreOptions.InheritedTerminal> terminals) {
        if (terminals.stream().anyMatch(t -> t.heldFd() < 0)) {
            throw new IllegalArgumentException("a criu service gets its terminals as held descriptors only");
        }
        int[] pair = socketPair();
        int devNull = -1;
        try {
            devNull = Libc.open("/dev/null", O_RDWR | Libc.O_CLOEXEC);
            int criuSocket = Math.max(3, terminals.stream().mapToInt(t -> t.criuFd() + 1).max().orElse(0));
            int[] fds = new int[criuSocket + 1];
            // Nothing on criu's standard descriptors: it answers its errors (cr_errmsg) and logs into its log, and
            // a worker closed unused would otherwise print that its request never came.
            java.util.Arrays.fill(fds, devNull);
            terminals.forEach(t -> fds[t.criuFd()] = t.heldFd());
            fds[criuSocket] = pair[1];
            List<String> argv = new ArrayList<>(criuCommand);
            argv.addAll(List.of("swrk", Integer.toString(criuSocket)));
            long pid = namespace == null ? ChildSpawn.spawn(argv, System.getenv(), fds)
                    : ChildSpawn.inNetworkNamespace(namespace, argv, System.getenv(), fds);
            return new CriuService(pid, pair[0], terminals);
        } catch (RuntimeException e) {
            NativeCalls.close(pair[0]);
            throw e;
        } finally {
            NativeCalls.close(pair[1]);
            if (devNull >= 0) {
                NativeCalls.close(devNull);
            }
        }
    }

    /**
     * Restores the tree as {@code o} says (sibling or not, lazily or not) and returns its root's pid once it runs;
     * {@code o}'s pid file and {@code detached} do not apply (criu answers once the tree runs, with its pid).
     */
    public Criu.Restored restore(CriuRestoreOptions o) {
        claim();
        if (!terminals.equals(o.terminals())) {
            throw new IllegalArgumentException("the restore hands on terminals " + o.terminals() + " but the criu"
                    + " service was started with " + terminals + "; start it with the restore's terminals");
        }
        if (o.lazyPages() && !o.imagesDir().toAbsolutePath().equals(o.logFile().toAbsolutePath().getParent())) {
            // criu works in the log's directory, and looks for the lazy-pages daemon's socket there.
            throw new IllegalArgumentException("a lazy restore through a criu service logs into its images"
                    + " directory " + o.imagesDir() + ", not " + o.logFile());
        }
        long t0 = System.nanoTime();
        CriuRpcMessage.Response answer = call(o.imagesDir(), o.logFile(), (images, work) -> restoreRequest(o, images,
                work), "criu restore into " + o.namespace());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (answer.restoredPid().isEmpty()) {
            throw new CriuException("criu restore into " + o.namespace() + " answered without the restored pid",
                    o.logFile());
        }
        return new Criu.Restored(answer.restoredPid().get(), took);
    }

    /**
     * Dumps the tree as {@code o} says (left stopped or killed, as {@code o.leaveStopped()}) and returns how long
     * that took, from the request to criu's answer. Not for page-server or lazy dumps.
     */
    public Duration dump(CriuDumpOptions o) {
        if (o.pageServer() != null || o.lazyPages() != null) {
            throw new IllegalArgumentException("a criu service dumps into its images directory only; start criu"
                    + " itself for a dump to a page server or a lazy dump");
        }
        claim();
        try {
            java.nio.file.Files.createDirectories(o.imagesDir());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create the images directory " + o.imagesDir(), e);
        }
        long t0 = System.nanoTime();
        call(o.imagesDir(), o.logFile(), (images, work) -> dumpRequest(o, images, work), "criu dump of pid "
                + o.pid());
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** A worker serves one request: criu swrk ends after answering it. */
    private void claim() {
        if (used) {
            throw new IllegalStateException("this criu service has worked once already; start another");
        }
        used = true;
    }

    private interface Request {
        byte[] with(int imagesFd, int workFd);
    }

    /**
     * Sends the request made with the images directory and the log's directory open as this process's
     * descriptors (criu opens them through /proc), and returns criu's answer; throws when criu failed.
     */
    private CriuRpcMessage.Response call(java.nio.file.Path imagesDir, java.nio.file.Path log, Request request,
            String what) {
        int images = Libc.open(imagesDir.toString(), Libc.O_RDONLY | O_DIRECTORY | Libc.O_CLOEXEC);
        int work;
        try {
            work = Libc.open(log.toAbsolutePath().getParent().toString(), Libc.O_RDONLY | O_DIRECTORY
                    | Libc.O_CLOEXEC);
        } catch (RuntimeException e) {
            NativeCalls.close(images);
            throw e;
        }
        CriuRpcMessage.Response answer;
        try {
            send(request.with(images, work));
            byte[] data = receive(what, log);
            try {
                answer = CriuRpcMessage.Response.parse(data);
            } catch (IllegalArgumentException e) {
                throw new CriuException(what + ": cannot read criu's answer (" + e.getMessage() + "): "
                        + java.util.HexFormat.of().formatHex(data), log);
            }
        } finally {
            NativeCalls.close(images);
            NativeCalls.close(work);
        }
        if (!answer.success()) {
            // criu's answer carries its first error, which on these machines is the harmless RLIMIT_NOFILE line
            // (see CriuException); the log's real errors follow in the message, so that one is left out.
            String first = answer.errorMessage().contains("RLIMIT_NOFILE") ? "" : answer.errorMessage();
            throw new CriuException(what + " failed" + (first.isEmpty() ? ""
                    : ": " + first) + (answer.errno() == 0 ? ""
                    : " (" + NativeCalls.strerror(answer.errno()) + ")"), log);
        }
        return answer;
    }

    /** The options every request carries: where the images and the log are. */
    private static CriuRpcMessage.Writer commonOptions(java.nio.file.Path log, int imagesFd, int workFd) {
        return new CriuRpcMessage.Writer()
                .varint(1, imagesFd) // images_dir_fd: criu opens /proc/<our pid>/fd/<it>
                .varint(9, LOG_LEVEL)
                .string(10, log.getFileName().toString()) // log_file, inside the work directory
                .varint(17, workFd); // work_dir_fd
    }

    /** criu's {@code criu_req} for the dump {@code o}, as {@link Criu#dump} runs it. */
    private static byte[] dumpRequest(CriuDumpOptions o, int imagesFd, int workFd) {
        CriuRpcMessage.Writer opts = commonOptions(o.logFile(), imagesFd, workFd)
                .varint(2, o.pid())
                .varint(35, Criu.GHOST_LIMIT_BYTES) // ghost_limit
                .bool(7, o.shellJob())
                .bool(69, o.leaveStopped()); // leave_stopped (criu 4.2.1's rpc.proto)
        if (o.tcpEstablished()) {
            opts.bool(5, true).varint(64, CriuRpcMessage.NFTABLES); // tcp_established, network_lock
        }
        for (CriuTty tty : o.externalTtys()) {
            opts.string(37, tty.key()); // external
        }
        return new CriuRpcMessage.Writer().varint(1, CriuRpcMessage.DUMP).message(2, opts).toByteArray();
    }

    /** criu's {@code criu_req} for {@code o}: the images and the log's directory as this process's descriptors. */
    private static byte[] restoreRequest(CriuRestoreOptions o, int imagesFd, int workFd) {
        CriuRpcMessage.Writer opts = commonOptions(o.logFile(), imagesFd, workFd)
                .bool(7, o.shellJob())
                .bool(26, o.sibling()) // rst_sibling
                .message(39, new CriuRpcMessage.Writer().string(1, "net").string(2, NetnsPaths.of(o.namespace())
                        .toString())); // join_ns
        if (o.tcpEstablished()) {
            opts.bool(5, true).varint(64, CriuRpcMessage.NFTABLES); // tcp_established, network_lock
        }
        for (CriuRestoreOptions.InheritedTerminal t : o.terminals()) {
            opts.message(27, new CriuRpcMessage.Writer().string(1, t.tty().key()).varint(2, t.criuFd())); // inherit_fd
        }
        if (o.lazyPages()) {
            opts.bool(48, true);
        }
        return new CriuRpcMessage.Writer().varint(1, CriuRpcMessage.RESTORE).message(2, opts).toByteArray();
    }

    private void send(byte[] message) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(message.length);
            buf.copyFrom(MemorySegment.ofArray(message));
            long sent = check((long) SEND.invokeExact(callState(), socket, buf, (long) message.length, MSG_NOSIGNAL),
                    "send the restore request to criu (pid " + pid + ")");
            if (sent != message.length) {
                throw new IllegalStateException("criu took " + sent + " of the request's " + message.length + " bytes");
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * criu's answer, read in the calling thread (within the freeze: no thread to start); criu is killed when it
     * gives none in time (its end of the socket then closes).
     */
    private byte[] receive(String what, java.nio.file.Path log) {
        NativeCalls.setReceiveTimeout(socket, Criu.OPERATION_TIMEOUT);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(MAX_ANSWER);
            long n;
            do {
                n = (long) RECV.invokeExact(callState(), socket, buf, (long) MAX_ANSWER, 0);
            } while (n < 0 && NativeCalls.errno() == EINTR);
            if (n < 0 && NativeCalls.errno() == EAGAIN) { // the receive timeout
                Signals.send(pid, 9);
                throw new CriuException(what + " did not finish within " + Criu.OPERATION_TIMEOUT.toSeconds()
                        + " s (criu pid " + pid + ")", log);
            }
            check(n, "receive criu's answer");
            if (n == 0) {
                throw new CriuException(what + " ended without an answer (exit " + exitStatus() + ")", log);
            }
            return buf.asSlice(0, n).toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private String exitStatus() {
        try {
            OptionalInt s = exit.get(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return s.isPresent() ? Integer.toString(s.getAsInt()) : "unknown";
        } catch (TimeoutException | ExecutionException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** Ends the worker (it exits when its socket closes, after a restore or without one) and reaps it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        NativeCalls.close(socket);
        try {
            exit.get(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            Signals.send(pid, 9);
        } catch (ExecutionException e) {
            // Not our child any more: nothing to reap.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int[] socketPair() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            check((int) SOCKETPAIR.invokeExact(callState(), AF_UNIX, SOCK_SEQPACKET | Libc.SOCK_CLOEXEC, 0, fds),
                    "socketpair for criu swrk");
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
