package net.mignet.apps;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

/**
 * Ends a state connection without losing what is still on its way: a plain close while unread bytes sit in the
 * receive buffer makes the kernel reset the connection and drop what the peer had not yet read.
 */
final class OrderlyClose {
    private OrderlyClose() {
    }

    /**
     * Sends end-of-stream (after what the caller has flushed), reads whatever still comes until the peer closes
     * or {@code timeoutMillis} pass, then closes.
     */
    static void finish(Socket socket, InputStream in, int timeoutMillis) {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(timeoutMillis);
            while (in.read() >= 0) {
                // Nothing more is expected; whatever comes is read so that the close is orderly.
            }
        } catch (IOException e) {
            // Timed out or reset: close anyway.
        } finally {
            close(socket);
        }
    }

    static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing a socket that is already gone.
        }
    }
}
