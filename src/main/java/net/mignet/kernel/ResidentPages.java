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
    private static final long FRAME = (1L << 55) - 1;
    /** The frame of the kernel's zero page, or 0 where page frames are hidden from this process. */
    private static final long ZERO_PAGE_FRAME = zeroPageFrame();
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
                        || line.endsWith("[vsyscall]") || line.contains("[vvar")) {
                    continue; // shared, unreadable (guard areas) or the kernel's own: not in a dump's pages
                }
                int dash = w[0].indexOf('-');
                long start = Long.parseUnsignedLong(w[0].substring(0, dash), 16);
                long end = Long.parseUnsignedLong(w[0].substring(dash + 1), 16);
                if (line.endsWith("[vdso]")) {
                    runs.add(new Run(start, (int) ((end - start) / PAGE))); // criu always dumps it whole
                } else {
                    addRuns(pagemap, entries, start, end, runs);
                }
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
                // As criu: not a page of a file not written to, nor the kernel's shared zero page (read, never
                // written).
                boolean wanted = (e & SWAPPED) != 0 || (e & PRESENT) != 0 && (e & FILE_PAGE) == 0
                        && (ZERO_PAGE_FRAME == 0 || (e & FRAME) != ZERO_PAGE_FRAME);
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

    /**
     * Finds the zero page's frame as criu does: a private anonymous page of this process that is read, never
     * written, is mapped to it.
     */
    private static long zeroPageFrame() {
        java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
        try {
            java.lang.invoke.MethodHandle mmap = linker.downcallHandle(linker.defaultLookup().find("mmap")
                    .orElseThrow(), java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.ADDRESS,
                    java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.JAVA_LONG,
                    java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT,
                    java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_LONG));
            java.lang.invoke.MethodHandle munmap = linker.downcallHandle(linker.defaultLookup().find("munmap")
                    .orElseThrow(), java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT,
                    java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.JAVA_LONG));
            final int protRead = 1;
            final int mapPrivateAnonymous = 0x02 | 0x20;
            java.lang.foreign.MemorySegment page = (java.lang.foreign.MemorySegment) mmap.invokeExact(
                    java.lang.foreign.MemorySegment.NULL, (long) PAGE, protRead, mapPrivateAnonymous, -1, 0L);
            if (page.address() == -1L) {
                return 0;
            }
            try {
                byte read = page.reinterpret(PAGE).get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0);
                try (FileChannel pagemap = FileChannel.open(Path.of("/proc/self/pagemap"), StandardOpenOption.READ)) {
                    ByteBuffer e = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
                    pagemap.read(e, page.address() / PAGE * 8);
                    long entry = e.getLong(0);
                    return read == 0 && (entry & PRESENT) != 0 ? entry & FRAME : 0;
                }
            } finally {
                int unmapped = (int) munmap.invokeExact(page, (long) PAGE);
            }
        } catch (Throwable t) {
            return 0; // without it, zero pages are pre-copied in vain: correct, only less often in place
        }
    }
}
