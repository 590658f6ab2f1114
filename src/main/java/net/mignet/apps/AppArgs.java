package net.mignet.apps;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name value} options of a built-in app. Kept tiny on purpose: these apps start in a fresh JVM
 * on every deploy, and each class loaded costs start-up time.
 */
final class AppArgs {
    private final String app;
    private final Map<String, String> values = new HashMap<>();

    private AppArgs(String app) {
        this.app = app;
    }

    static AppArgs parse(String app, String[] args, Set<String> known) {
        AppArgs parsed = new AppArgs(app);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String key;
            String value;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                key = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else if (a.startsWith("--") && i + 1 < args.length) {
                key = a.substring(2);
                value = args[++i];
            } else {
                throw new UsageError(app + ": unexpected '" + a + "'; options: --"
                        + String.join(" --", known.stream().sorted().toList()));
            }
            if (!known.contains(key)) {
                throw new UsageError(app + ": unknown option --" + key + "; options: --"
                        + String.join(" --", known.stream().sorted().toList()));
            }
            parsed.values.put(key, value);
        }
        return parsed;
    }

    String get(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    InetSocketAddress address(String key, String fallback) {
        String text = get(key, fallback);
        if (text == null) {
            return null;
        }
        int colon = text.lastIndexOf(':');
        if (colon < 1) {
            throw new UsageError(app + ": --" + key + " " + text + " must be ADDRESS:PORT, e.g. "
                    + "10.0.0.12:8888");
        }
        try {
            return new InetSocketAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
        } catch (IllegalArgumentException e) { // also a port out of range or not a number
            throw new UsageError(app + ": --" + key + " " + text + ": " + e.getMessage());
        }
    }

    Duration duration(String key, String fallback) {
        String t = get(key, fallback).strip();
        double factor;
        String number;
        if (t.endsWith("ms")) {
            factor = 1e6;
            number = t.substring(0, t.length() - 2);
        } else if (t.endsWith("us")) {
            factor = 1e3;
            number = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            factor = 1e9;
            number = t.substring(0, t.length() - 1);
        } else {
            throw new UsageError(app + ": --" + key + " " + t + " needs a unit: 10ms, 1s, 500us");
        }
        try {
            return Duration.ofNanos(Math.round(Double.parseDouble(number) * factor));
        } catch (NumberFormatException e) {
            throw new UsageError(app + ": --" + key + " " + t + " is not a duration: 10ms, 1s, 500us");
        }
    }

    long number(String key, long fallback) {
        try {
            return values.containsKey(key) ? Long.parseLong(values.get(key)) : fallback;
        } catch (NumberFormatException e) {
            throw new UsageError(app + ": --" + key + " " + values.get(key) + " is not a whole number");
        }
    }

    /** A TCP or UDP port number. */
    int port(String key, int fallback) {
        long port = number(key, fallback);
        if (port < 1 || port > 65535) {
            throw new UsageError(app + ": --" + key + " " + port + " is not a port (1-65535)");
        }
        return (int) port;
    }

    /** Wrong options: the app says what is wrong in one line, without a stack trace, and exits with 2. */
    static final class UsageError extends IllegalArgumentException {
        UsageError(String message) {
            super(message);
        }
    }

    /** Runs an app's main, turning a {@link UsageError} into its message and exit status 2. */
    static void runMain(AppMain main, String[] argv) throws Exception {
        try {
            main.run(argv);
        } catch (UsageError e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    @FunctionalInterface
    interface AppMain {
        void run(String[] argv) throws Exception;
    }
}
