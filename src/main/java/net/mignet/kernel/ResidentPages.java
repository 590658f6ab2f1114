package net.mignet.kernel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The memory pages of a running process that a CRIU dump would write: resident (or swapped) pages of its private
 * mappings that are not unchanged pages of a file, found with {@code /proc/PID/maps} and {@code /proc/PID/pagemap}
 * (the same test as criu's). Read through {@code /proc/PID/mem} without stopping the process, so a page may change
 * while or after it is read: use them only as a guess to be checked against the dump.
 */
public final class ResidentPages {
    public static final int PAGE = 4096;
    private static final long PRESENT = 1L << 63;
    private static final long SWAPPED = 1L << 62;
    private static final long FILE_PAGE = 1L << 61;
    /** Pagemap entries read at once: 512 KiB of them, for a mapping of 256 MiB. */
    private static final int PAGEMAP_CHUNK = 65_536;

    /** A run of consecutive pages to read, at {@code address}. */
    public record Run(long address, int pages) {
    }

    private ResidentPages() {
    }

    /** The runs of pages of {@code pid} a dump would contain, in ascending address order. */
    public static List<Run> of(long pid) throws IOException {
        List<Run> runs = new ArrayList<>();
        Path proc = Path.of("/proc", Long.toString(pid));
        try (FileChannel pagemap = FileChannel.open(proc.resolve("pagemap"), StandardOpenOption.READ)) {
            ByteBuffer entries = ByteBuffer.allocateDirect(PAGEMAP_CHUNK * 8).order(ByteOrder.nativeOrder());
            for (String line : Files.readAllLines(proc.resolve("maps"))) {
                String[] w = line.trim().split("\\s+");
                if (w.length < 2 || w[1].length() < 4 || w[1].charAt(0) != 'r' || w[1].charAt(3) != 'p'
                        || line.endsWith("[vsyscall]") || line.endsWith("[vvar]")) {
                    continue; // shared, unreadable (guard areas) or the kernel's own: not in a dump's pages
                }
                int dash = w[0].indexOf('-');
                long start = Long.parseUnsignedLong(w[0].substring(0, dash), 16);
                long end = Long.parseUnsignedLong(w[0].substring(dash + 1), 16);
                addRuns(pagemap, entries, start, end, runs);
            }
        }
        return runs;
    }

    private static void addRuns(FileChannel pagemap, ByteBuffer entries, long start, long end, List<Run> runs)
            throws IOException {
        long runStart = -1;
        for (long chunk = start; chunk < end; chunk += (long) PAGEMAP_CHUNK * PAGE) {
            int pages = (int) Math.min(PAGEMAP_CHUNK, (end - chunk) / PAGE);
            entries.clear().limit(pages * 8);
            long position = chunk / PAGE * 8;
            while (entries.hasRemaining()) {
                if (pagemap.read(entries, position + entries.position()) < 0) {
                    break;
                }
            }
            for (int i = 0; i < entries.position() / 8; i++) {
                long e = entries.getLong(i * 8);
                boolean wanted = (e & SWAPPED) != 0 || (e & PRESENT) != 0 && (e & FILE_PAGE) == 0;
                long address = chunk + (long) i * PAGE;
                if (wanted && runStart < 0) {
                    runStart = address;
                } else if (!wanted && runStart >= 0) {
                    runs.add(new Run(runStart, (int) ((address - runStart) / PAGE)));
                    runStart = -1;
                }
            }
        }
        if (runStart >= 0) {
            runs.add(new Run(runStart, (int) ((end - runStart) / PAGE)));
        }
    }
}
