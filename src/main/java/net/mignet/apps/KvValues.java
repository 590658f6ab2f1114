package net.mignet.apps;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The key-value service's values in native memory, allocated with libc's malloc. Built-in apps run with a
 * 128 MB heap, and the JDK counts its own off-heap allocations against that same limit, while the service
 * holds up to 1 GB; native values also keep the garbage collector from copying the state around, which would
 * pause the service at random moments of a migration. Only the thread holding the service's lock touches them.
 */
final class KvValues {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MALLOC = LINKER.downcallHandle(LINKER.defaultLookup().find("malloc")
            .orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_LONG));
    private static final MethodHandle FREE = LINKER.downcallHandle(LINKER.defaultLookup().find("free")
            .orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS));

    private KvValues() {
    }

    static MemorySegment allocate(long length) {
        MemorySegment p;
        try {
            p = (MemorySegment) MALLOC.invokeExact(Math.max(1, length));
        } catch (Throwable t) {
            throw new IllegalStateException("malloc failed", t);
        }
        if (p.equals(MemorySegment.NULL)) {
            throw new OutOfMemoryError("malloc(" + length + ") failed: the key-value state does not fit");
        }
        return p.reinterpret(length);
    }

    static MemorySegment copyOf(byte[] bytes, int offset, int length) {
        MemorySegment s = allocate(length);
        MemorySegment.copy(bytes, offset, s, ValueLayout.JAVA_BYTE, 0, length);
        return s;
    }

    static byte[] toArray(MemorySegment value) {
        return value.toArray(ValueLayout.JAVA_BYTE);
    }

    static void free(MemorySegment value) {
        if (value == null) {
            return;
        }
        try {
            FREE.invokeExact(value);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
