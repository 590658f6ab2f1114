package net.mignet.app;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The lines an app printed. The whole log is on disk: the lines as {@code docker logs -t} shows them in
 * {@code NAME.log} for people, and beside it one byte per line ({@code o}/{@code e}) in {@code NAME.streams}
 * telling which stream each came from, so the log can be read back as it was printed. Only the newest
 * {@value #MEMORY_LINES} lines stay in memory: an app printing a hundred lines a second for hours must not
 * grow the emulator's heap.
 */
public final class AppLog implements AutoCloseable {
    static final int MEMORY_LINES = 10_000;

    private final ArrayDeque<LogLine> lines = new ArrayDeque<>();
    private final Path file;
    private final Path streamsFile;
    private final BufferedWriter text;
    private final OutputStream streams;
    private boolean diskIntact = true;
    private long total;

    AppLog(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        this.file = file;
        this.streamsFile = file.resolveSibling(file.getFileName().toString().replaceFirst("\\.log$", "") + ".streams");
        this.text = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        this.streams = Files.newOutputStream(streamsFile);
    }

    synchronized void append(LogLine line) {
        if (lines.size() == MEMORY_LINES) {
            lines.removeFirst();
        }
        lines.addLast(line);
        total++;
        try {
            // Written whole or not at all as far as readers go: both files are flushed before anyone can ask.
            text.write(line.format());
            text.write('\n');
            text.flush();
            streams.write(line.stream() == LogLine.Stream.STDOUT ? 'o' : 'e');
            streams.flush();
        } catch (IOException e) {
            // The in-memory tail still has the line; a full disk must not stop the app. Reads of the whole
            // log then say that lines are missing rather than return a log with holes.
            diskIntact = false;
        }
        notifyAll();
    }

    /** Every line the app printed, in order (read back from disk once the memory holds only the newest). */
    public List<LogLine> lines() {
        return select(null, Instant.MIN);
    }

    /** Every line of one stream, in order. */
    public List<LogLine> lines(LogLine.Stream stream) {
        return select(stream, Instant.MIN);
    }

    /**
     * The lines of {@code stream} stamped at or after {@code since}: from memory when it reaches back that far,
     * which it does for anything of the last minutes of all but the chattiest apps, else from disk.
     */
    public List<LogLine> linesSince(Instant since, LogLine.Stream stream) {
        return select(stream, since);
    }

    /** The newest {@code n} lines (at most as many as are kept in memory). */
    public synchronized List<LogLine> tail(int n) {
        List<LogLine> newest = new ArrayList<>(Math.min(n, lines.size()));
        Iterator<LogLine> it = lines.descendingIterator();
        while (newest.size() < n && it.hasNext()) {
            newest.add(it.next());
        }
        return newest.reversed();
    }

    /** The newest {@code n} lines, from disk when more are asked for than memory holds. */
    public List<LogLine> last(int n) {
        synchronized (this) {
            if (n <= lines.size() || total == lines.size()) {
                return tail(n);
            }
        }
        List<LogLine> all = lines();
        return all.subList(Math.max(0, all.size() - n), all.size());
    }

    public synchronized long totalLines() {
        return total;
    }

    private List<LogLine> select(LogLine.Stream stream, Instant since) {
        long count;
        synchronized (this) {
            boolean memoryReaches = total == lines.size()
                    || (!lines.isEmpty() && !lines.getFirst().time().isAfter(since) && !since.equals(Instant.MIN));
            if (memoryReaches) {
                List<LogLine> selected = new ArrayList<>();
                for (LogLine line : lines) {
                    if ((stream == null || line.stream() == stream) && !line.time().isBefore(since)) {
                        selected.add(line);
                    }
                }
                return selected;
            }
            if (!diskIntact) {
                throw new IllegalStateException("the log of this app lost lines on disk (" + file
                        + " could not be written); only its newest " + lines.size() + " lines are known");
            }
            count = total;
        }
        // Outside the lock: the app goes on printing while a long log is read; only the first count lines
        // were complete when we looked.
        return readBack(count, stream, since);
    }

    private List<LogLine> readBack(long count, LogLine.Stream stream, Instant since) {
        List<LogLine> selected = new ArrayList<>();
        try (InputStream kinds = Files.newInputStream(streamsFile);
             BufferedReader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                     StandardCharsets.UTF_8), 1 << 16)) {
            StringBuilder line = new StringBuilder();
            for (long i = 0; i < count; i++) {
                int kind = kinds.read();
                line.setLength(0);
                int c;
                // Lines may hold '\r' as printed on a terminal: only '\n' ends one.
                while ((c = reader.read()) != -1 && c != '\n') {
                    line.append((char) c);
                }
                if (kind == -1 || (c == -1 && line.isEmpty())) {
                    throw new IllegalStateException(file + " ends after " + i + " of " + count + " lines");
                }
                LogLine.Stream which = kind == 'o' ? LogLine.Stream.STDOUT : LogLine.Stream.STDERR;
                if (stream != null && which != stream) {
                    continue;
                }
                LogLine parsed = LogLine.parse(line.toString(), which);
                if (!parsed.time().isBefore(since)) {
                    selected.add(parsed);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the app log " + file + ": " + e.getMessage(), e);
        }
        return selected;
    }

    /**
     * Waits until a line satisfying {@code condition} has been printed (including lines printed before the
     * call), or the timeout passes.
     */
    public synchronized Optional<LogLine> await(Predicate<LogLine> condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen = total - lines.size();
        while (true) {
            // Only the lines added since the last look need testing.
            long fresh = total - seen;
            Iterator<LogLine> newest = lines.descendingIterator();
            List<LogLine> unseen = new ArrayList<>();
            for (long i = 0; i < fresh && newest.hasNext(); i++) {
                unseen.add(newest.next());
            }
            seen = total;
            for (LogLine line : unseen.reversed()) {
                if (condition.test(line)) {
                    return Optional.of(line);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Wakes waiters when the app ends, so they can stop waiting for lines that will never come. */
    synchronized void wakeAll() {
        notifyAll();
    }

    @Override
    public synchronized void close() {
        try {
            text.close();
            streams.close();
        } catch (IOException e) {
            // Nothing more to write.
        }
    }
}
