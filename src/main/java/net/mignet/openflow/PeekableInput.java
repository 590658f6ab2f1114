package net.mignet.openflow;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A buffered stream that tells how many bytes it holds already. {@link BufferedInputStream#available} asks the
 * socket too (an ioctl per call), which a burst of FLOW_MODs did before each message to see whether another one
 * follows; when the buffer holds the next message's header, that question needs no system call.
 */
final class PeekableInput extends BufferedInputStream {
    PeekableInput(InputStream in, int size) {
        super(in, size);
    }

    /** Bytes read from the socket and not consumed yet; at least {@code wanted} without asking the socket if held. */
    synchronized int available(int wanted) throws IOException {
        int held = count - pos;
        return held >= wanted ? held : available();
    }
}
