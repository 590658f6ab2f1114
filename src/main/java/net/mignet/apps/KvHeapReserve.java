package net.mignet.apps;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps, before a stop-and-copy freeze, the native memory the successor's values will be allocated from. A fresh
 * process's heap grows into pages the kernel maps on first touch, one fault per 4 KB, and on this machine's
 * virtual CPUs a fault costs microseconds: installing a megabyte of kilobyte values took 1.4 ms on new memory
 * and 1.0 ms on memory used before, all of it in the freeze, on a core the link engine carrying the content also
 * needs. So the successor allocates about as much as the content will take from the C heap its values come from
 * (the calling thread's; the successor installs on the thread that calls this), writes it, and frees it again, with
 * libc told to keep freed memory instead of returning it to the kernel. The values' mallocs then carve up
 * mapped pages. Costs a pass over that memory while the old instance still serves.
 */
final class KvHeapReserve {
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_THRESHOLD = -3;
    /** glibc's largest mmap threshold on 64-bit; chunks below it come from the heap, not from mmap. */
    private static final int MMAP_THRESHOLD = 32 << 20;
    private static final int CHUNK = 16 << 20;
    /** libc's bookkeeping per allocation, and its rounding to 16 bytes. */
    private static final int OVERHEAD_PER_VALUE = 32;
    private static final MethodHandle MALLOPT = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("mallopt").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private KvHeapReserve() {
    }

    /**
     * Maps room for {@code values} values of {@code valueBytes} bytes in all; returns the bytes mapped (0 where libc
     * refuses the settings, which only means the faults happen during the install).
     */
    static long reserve(long valueBytes, long values) {
        long bytes = valueBytes + values * OVERHEAD_PER_VALUE;
        if (bytes <= 0 || !keepFreedMemory()) {
            return 0;
        }
        List<MemorySegment> chunks = new ArrayList<>();
        try {
            for (long left = bytes; left > 0; left -= CHUNK) {
                MemorySegment chunk = KvValues.allocate(Math.min(left, CHUNK));
                chunks.add(chunk);
                chunk.fill((byte) 0);
            }
        } catch (OutOfMemoryError e) {
            // What was mapped still helps; the rest faults in during the install, as without this.
        }
        long mapped = 0;
        // Last first: each is then next to the heap's free top and merges into it.
        for (MemorySegment chunk : chunks.reversed()) {
            mapped += chunk.byteSize();
            KvValues.free(chunk);
        }
        return mapped;
    }

    /**
     * Freed memory stays with the process (no trim), and chunks up to {@link #MMAP_THRESHOLD} come from the heap
     * (an mmap'd chunk would be unmapped when freed).
     */
    private static boolean keepFreedMemory() {
        try {
            return (int) MALLOPT.invokeExact(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                    && (int) MALLOPT.invokeExact(M_TRIM_THRESHOLD, Integer.MAX_VALUE) == 1;
        } catch (Throwable t) {
            return false;
        }
    }
}
