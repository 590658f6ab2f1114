package net.mignet.apps;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;

/** A blocking read on a state connection that gives up after a time, leaving later reads unbounded again. */
final class TimedRead {
    private TimedRead() {
    }

    /** The next byte of {@code in} (the stream of {@code socket}); a SocketTimeoutException after the time. */
    static byte readByte(Socket socket, DataInputStream in, int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        try {
            return in.readByte();
        } finally {
            socket.setSoTimeout(0);
        }
    }
}
