package net.mignet.apps;

import java.util.Locale;

/** Byte counts as people write them: {@code 512}, {@code 1KB}, {@code 64MB}, {@code 1GB} (powers of 1024). */
public final class KvSize {
    private KvSize() {
    }

    public static long parse(String text) {
        String t = text.strip().toUpperCase(Locale.ROOT).replace("IB", "B");
        long factor = 1;
        for (String[] unit : new String[][] {{"GB", "1073741824"}, {"MB", "1048576"}, {"KB", "1024"}, {"B", "1"}}) {
            if (t.endsWith(unit[0])) {
                factor = Long.parseLong(unit[1]);
                t = t.substring(0, t.length() - unit[0].length()).strip();
                break;
            }
        }
        try {
            double n = Double.parseDouble(t);
            if (n < 0 || Double.isNaN(n)) {
                throw new NumberFormatException();
            }
            return Math.round(n * factor);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size; write e.g. 512, 64KB, 1MB, 1GB");
        }
    }

    public static String format(long bytes) {
        if (bytes >= 1 << 30 && bytes % (1 << 20) == 0) {
            return bytes >> 30 == (double) bytes / (1 << 30) ? (bytes >> 30) + "GB" : (bytes >> 20) + "MB";
        }
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + "MB";
        }
        if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
            return (bytes >> 10) + "KB";
        }
        return bytes + "B";
    }
}
