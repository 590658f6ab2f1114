package net.mignet.app;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The lines an app printed: kept in memory for reading at any time (the newest {@value #MEMORY_LINES}), and
 * written in full to a file, so a long chatty run neither fills the heap nor loses lines.
 */
public final class AppLog implements AutoCloseable {
    static final int MEMORY_LINES = 200_000;

    private final ArrayDeque<LogLine> lines = new ArrayDeque<>();
    private final BufferedWriter file;
    private long total;

    AppLog(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        this.file = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    synchronized void append(LogLine line) {
        if (lines.size() == MEMORY_LINES) {
            lines.removeFirst();
        }
        lines.addLast(line);
        total++;
        try {
            file.write(line.format());
            file.newLine();
            file.flush();
        } catch (IOException e) {
            // The in-memory copy still has the line; a full disk must not stop the app.
        }
        notifyAll();
    }

    public synchronized List<LogLine> lines() {
        return new ArrayList<>(lines);
    }

    /** Lines of one stream only. */
    public synchronized List<LogLine> lines(LogLine.Stream stream) {
        return lines.stream().filter(l -> l.stream() == stream).toList();
    }

    public synchronized long totalLines() {
        return total;
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
            java.util.Iterator<LogLine> newest = lines.descendingIterator();
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
            file.close();
        } catch (IOException e) {
            // Nothing more to write.
        }
    }
}
