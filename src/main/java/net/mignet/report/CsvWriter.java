package net.mignet.report;

import java.io.Flushable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;

/**
 * Writes CSV as RFC 4180 describes it, with {@code \n} ending every row: a field holding a comma, a quote or
 * leading or trailing blanks is quoted and its quotes doubled. A line break inside a field becomes a blank,
 * so that every row is exactly one line and {@code wc -l} or {@code grep} count rows right.
 */
public final class CsvWriter implements Flushable {
    private final Writer out;

    public CsvWriter(Writer out) {
        this.out = out;
    }

    /** Writes one row and pushes it out, so a run that dies later still leaves its rows on disk. */
    public void row(List<?> fields) {
        try {
            out.write(line(fields));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a CSV row: " + e.getMessage(), e);
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** One row as text, ending in {@code \n}; null fields are empty. */
    public static String line(List<?> fields) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(field(fields.get(i)));
        }
        return sb.append('\n').toString();
    }

    static String field(Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString().replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
        boolean quote = text.indexOf(',') >= 0 || text.indexOf('"') >= 0
                || (!text.isEmpty() && (Character.isWhitespace(text.charAt(0))
                        || Character.isWhitespace(text.charAt(text.length() - 1))));
        return quote ? '"' + text.replace("\"", "\"\"") + '"' : text;
    }
}
