package net.mignet.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The lines of a file of shell commands ({@code source FILE}, {@code run --commands FILE}), read whole before the
 * first runs, so that a line that changes the file changes nothing of what runs; a file that cannot be read is
 * refused with the reason.
 */
record CommandFile(Path path, List<String> lines) {
    /** Far more than any hand-written file; it keeps {@code source} of a huge file from filling the memory. */
    static final long LARGEST_BYTES = 16L << 20;

    static CommandFile read(Path path) {
        String name = path.toString();
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("cannot read " + name + ": no such file"
                    + (path.isAbsolute() ? "" : " in " + Path.of("").toAbsolutePath()));
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("cannot read " + name + ": " + (Files.isDirectory(path)
                    ? "it is a directory" : "not a regular file (a device or a pipe is not read)"));
        }
        try {
            if (Files.size(path) > LARGEST_BYTES) {
                throw new IllegalArgumentException("cannot read " + name + ": larger than " + (LARGEST_BYTES >> 20)
                        + " MiB, which is no file of shell commands");
            }
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(path))).toString();
            return new CommandFile(path, text.lines().toList());
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("cannot read " + name + ": permission denied", e);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("cannot read " + name + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }
}
