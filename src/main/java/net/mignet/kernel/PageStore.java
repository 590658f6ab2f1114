package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pages kept outside the heap, numbered in the order they were added, with an index that finds a page equal to a
 * given one. The index keys a page by a few of its words; a hit is always compared in full, so equal means equal.
 * Closing frees the memory.
 */
final class PageStore implements AutoCloseable {
    static final int PAGE = ResidentPages.PAGE;
    private static final int PAGES_PER_BLOCK = 4096; // 16 MiB
    /** The words a page is keyed by, spread over it. */
    private static final long[] SAMPLED = {0, 520, 1032, 1544, 2056, 2568, 3080, 3592, 4088};

    private static final java.lang.invoke.MethodHandle MEMCMP = java.lang.foreign.Linker.nativeLinker()
            .downcallHandle(java.lang.foreign.Linker.nativeLinker().defaultLookup().find("memcmp").orElseThrow(),
                    java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT,
                            java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.ADDRESS,
                            java.lang.foreign.ValueLayout.JAVA_LONG), java.lang.foreign.Linker.Option.critical(false));

    private final Arena arena = Arena.ofShared();
    private final List<MemorySegment> blocks = new ArrayList<>();
    private final Map<Long, Integer> index = new HashMap<>();
    private final int limit;
    private int size;

    /** @param limit the most pages it holds */
    PageStore(int limit) {
        this.limit = limit;
    }

    int size() {
        return size;
    }

    /**
     * Room for up to {@code pages} more pages, within one block: fewer when the block or the store is full (none
     * when the store is). Write them, then {@link #commit} as many as were written.
     */
    MemorySegment reserve(int pages) {
        int room = Math.min(Math.min(pages, PAGES_PER_BLOCK - size % PAGES_PER_BLOCK), limit - size);
        if (room <= 0) {
            return MemorySegment.NULL;
        }
        if (blocks.size() <= size / PAGES_PER_BLOCK) {
            blocks.add(arena.allocate((long) PAGES_PER_BLOCK * PAGE, PAGE));
        }
        return blocks.get(size / PAGES_PER_BLOCK).asSlice((long) (size % PAGES_PER_BLOCK) * PAGE, (long) room * PAGE);
    }

    /** Takes the {@code pages} pages written into the last {@link #reserve}d room; returns the first's number. */
    int commit(int pages) {
        int first = size;
        for (int i = 0; i < pages; i++) {
            index.putIfAbsent(key(page(first + i)), first + i);
        }
        size += pages;
        return first;
    }

    /** Page {@code n}. */
    MemorySegment page(int n) {
        return blocks.get(n / PAGES_PER_BLOCK).asSlice((long) (n % PAGES_PER_BLOCK) * PAGE, PAGE);
    }

    /** Whether page {@code n} exists and equals {@code page}. */
    boolean equals(int n, MemorySegment page) {
        return equalRun(n, page, 1);
    }

    /**
     * Whether pages {@code n} to {@code n + count - 1} exist, lie in one block, and equal {@code pages} (at least
     * {@code count} pages long).
     */
    boolean equalRun(int n, MemorySegment pages, int count) {
        if (n < 0 || count <= 0 || n + count > size || n / PAGES_PER_BLOCK != (n + count - 1) / PAGES_PER_BLOCK) {
            return false;
        }
        MemorySegment stored = blocks.get(n / PAGES_PER_BLOCK).asSlice((long) (n % PAGES_PER_BLOCK) * PAGE,
                (long) count * PAGE);
        return memcmp(stored, pages, (long) count * PAGE) == 0;
    }

    /**
     * libc's {@code memcmp}: vectorised, and as fast on the first migration as on the hundredth (Java's own
     * comparison runs interpreted until the JIT has compiled it: 50 ms for 8 MB measured on a first migration).
     */
    private static int memcmp(MemorySegment a, MemorySegment b, long n) {
        try {
            return (int) MEMCMP.invokeExact(a, b, n);
        } catch (Throwable t) {
            throw new IllegalStateException("memcmp failed", t);
        }
    }

    /** The number of a stored page equal to {@code page}, or -1. */
    int find(MemorySegment page) {
        Integer n = index.get(key(page));
        return n != null && equals(n, page) ? n : -1;
    }

    private static long key(MemorySegment page) {
        long h = 0;
        for (long offset : SAMPLED) {
            h = h * 0x9E3779B97F4A7C15L + page.get(JAVA_LONG_UNALIGNED, offset);
        }
        return h;
    }

    @Override
    public void close() {
        arena.close();
    }
}
