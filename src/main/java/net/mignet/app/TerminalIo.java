package net.mignet.app;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import net.mignet.kernel.PseudoTerminal;
import net.mignet.kernel.ReadinessWaiter;

/**
 * Standard input, output and error as three pseudo-terminals, so that programs see a terminal
 * ({@code isatty()}), print line by line as they do on a terminal, and keep output and errors apart. One platform
 * thread reads the masters and appends what the program printed, line by line, to the app's log.
 *
 * <p>mignet keeps a slave of each pair open, so reading never ends because a process went away: the same
 * terminals serve a checkpointed app's restored copy on another host. The end of a process's output is found
 * instead by writing a marker through mignet's own slave after the process has ended: the terminal keeps order,
 * so everything the process wrote has been read when the marker comes out. The terminals live as long as the app
 * is listed (until it is removed or replaced, or the manager closes), like its log.
 */
final class TerminalIo implements AppIo {
    private static final int READ_BUFFER = 64 * 1024;
    private static final int MAX_LINE = 1 << 20;

    private final PseudoTerminal input;
    private final PseudoTerminal output;
    private final PseudoTerminal errors;
    private final AppLog log;
    private final ReadinessWaiter waiter = new ReadinessWaiter();
    /** Unlikely in any program's output: NUL, a name and a random number. */
    private final byte[] marker;
    private final Thread pump;
    private long markersWritten;
    private final long[] markersSeen = new long[2];
    private volatile boolean closing;
    private boolean closed;

    private TerminalIo(String name, PseudoTerminal input, PseudoTerminal output, PseudoTerminal errors, AppLog log) {
        this.input = input;
        this.output = output;
        this.errors = errors;
        this.log = log;
        this.marker = ("\0mignet-drained-" + Long.toHexString(ThreadLocalRandom.current().nextLong()))
                .getBytes(StandardCharsets.US_ASCII);
        this.pump = Thread.ofPlatform().daemon().name("app-" + name + "-tty").unstarted(this::pump);
    }

    /** Opens the three terminals and starts reading; release them with {@link #close()}. */
    static TerminalIo open(String name, AppLog log) {
        List<PseudoTerminal> opened = new ArrayList<>();
        try {
            PseudoTerminal in = open(opened, PseudoTerminal.Use.INPUT);
            PseudoTerminal out = open(opened, PseudoTerminal.Use.OUTPUT);
            PseudoTerminal err = open(opened, PseudoTerminal.Use.OUTPUT);
            TerminalIo io = new TerminalIo(name, in, out, err, log);
            io.pump.start();
            return io;
        } catch (RuntimeException e) {
            opened.forEach(PseudoTerminal::close);
            throw e;
        }
    }

    private static PseudoTerminal open(List<PseudoTerminal> opened, PseudoTerminal.Use use) {
        PseudoTerminal t = PseudoTerminal.open(use);
        opened.add(t);
        return t;
    }

    /** mignet's slave descriptors in the order the app gets them: 0, 1, 2. */
    int[] childStdio() {
        return new int[] {input.slaveFd(), output.slaveFd(), errors.slaveFd()};
    }

    @Override
    public List<AppTerminal> terminals() {
        List<AppTerminal> all = new ArrayList<>();
        PseudoTerminal[] byFd = {input, output, errors};
        for (int fd = 0; fd < byFd.length; fd++) {
            all.add(new AppTerminal(fd, byFd[fd].slavePath(), byFd[fd].criuKey(), byFd[fd].slaveFd()));
        }
        return all;
    }

    @Override
    public void sendLine(String line) {
        synchronized (input) {
            if (closed) {
                throw new IllegalStateException("its terminals were released");
            }
            input.writeToProgram((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public boolean awaitDrained(Duration timeout) {
        long target;
        synchronized (this) {
            if (closed) {
                return true;
            }
            target = ++markersWritten;
            output.writeAsProgram(terminated(marker));
            errors.writeAsProgram(terminated(marker));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (markersSeen) {
            while (markersSeen[0] < target || markersSeen[1] < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !pump.isAlive()) {
                    return false;
                }
                try {
                    markersSeen.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    private static byte[] terminated(byte[] bytes) {
        byte[] line = Arrays.copyOf(bytes, bytes.length + 1);
        line[bytes.length] = '\n';
        return line;
    }

    private void pump() {
        // What a program writes to its standard input terminal (some print prompts there) is output too.
        PseudoTerminal[] sources = {output, errors, input};
        LogLine.Stream[] streams = {LogLine.Stream.STDOUT, LogLine.Stream.STDERR, LogLine.Stream.STDOUT};
        LineSplitter[] lines = new LineSplitter[sources.length];
        boolean[] ended = new boolean[sources.length];
        for (int i = 0; i < sources.length; i++) {
            lines[i] = new LineSplitter(streams[i], i < 2 ? i : -1);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(READ_BUFFER);
            while (true) {
                int[] fds = new int[sources.length];
                for (int i = 0; i < sources.length; i++) {
                    fds[i] = ended[i] ? -1 : sources[i].masterFd(); // poll skips negative descriptors
                }
                boolean stopping = closing;
                // Once released, take what is already there and stop, even if a stray process still holds a slave.
                boolean[] ready = waiter.await(fds, stopping ? 0 : -1);
                boolean any = false;
                for (int i = 0; i < sources.length; i++) {
                    if (ready[i]) {
                        any = true;
                        long n = sources[i].read(buffer);
                        if (n < 0) {
                            ended[i] = true;
                        } else {
                            lines[i].accept(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                        }
                    }
                }
                if ((stopping && !any) || (ended[0] && ended[1] && ended[2])) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            log.append(new LogLine(Instant.now(), LogLine.Stream.STDERR,
                    "[mignet] reading the app's terminals failed: " + e.getMessage()));
        } finally {
            for (LineSplitter l : lines) {
                l.flush();
            }
            synchronized (markersSeen) {
                markersSeen.notifyAll();
            }
        }
    }

    /** Releases the terminals: what was already printed is still read, then the masters are closed. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        synchronized (input) {
            input.closeSlave();
        }
        output.closeSlave();
        errors.closeSlave();
        closing = true;
        waiter.wake();
        boolean interrupted = false;
        while (true) {
            try {
                pump.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the masters must not close under the reading thread
            }
        }
        input.close();
        output.close();
        errors.close();
        waiter.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Cuts one stream into lines at {@code \n}, keeping every other byte as printed, and finds the drain markers. */
    private final class LineSplitter {
        private final LogLine.Stream stream;
        private final int markerIndex;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        LineSplitter(LogLine.Stream stream, int markerIndex) {
            this.stream = stream;
            this.markerIndex = markerIndex;
        }

        void accept(byte[] bytes) {
            int start = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    pending.write(bytes, start, i - start);
                    line(pending.toByteArray());
                    pending.reset();
                    start = i + 1;
                }
            }
            pending.write(bytes, start, bytes.length - start);
            if (pending.size() > MAX_LINE) {
                line(pending.toByteArray());
                pending.reset();
            }
        }

        void flush() {
            if (pending.size() > 0) {
                line(pending.toByteArray());
                pending.reset();
            }
        }

        private void line(byte[] bytes) {
            int length = bytes.length;
            if (markerIndex >= 0 && endsWithMarker(bytes)) {
                length -= marker.length;
                if (length > 0) {
                    // A last line without its newline: the process ended in the middle of it.
                    append(bytes, length);
                }
                synchronized (markersSeen) {
                    markersSeen[markerIndex]++;
                    markersSeen.notifyAll();
                }
                return;
            }
            append(bytes, length);
        }

        private boolean endsWithMarker(byte[] bytes) {
            return bytes.length >= marker.length
                    && Arrays.equals(bytes, bytes.length - marker.length, bytes.length, marker, 0, marker.length);
        }

        private void append(byte[] bytes, int length) {
            log.append(new LogLine(Instant.now(), stream, new String(bytes, 0, length, StandardCharsets.UTF_8)));
        }
    }
}
