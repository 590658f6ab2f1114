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
                throw new IllegalArgumentException(app + ": unexpected '" + a + "'; options: --"
                        + String.join(" --", known.stream().sorted().toList()));
            }
            if (!known.contains(key)) {
                throw new IllegalArgumentException(app + ": unknown option --" + key + "; options: --"
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
            throw new IllegalArgumentException(app + ": --" + key + " " + text + " must be ADDRESS:PORT, e.g. "
                    + "10.0.0.12:8888");
        }
        return new InetSocketAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
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
            throw new IllegalArgumentException(app + ": --" + key + " " + t + " needs a unit: 10ms, 1s, 500us");
        }
        return Duration.ofNanos(Math.round(Double.parseDouble(number) * factor));
    }

    long number(String key, long fallback) {
        return values.containsKey(key) ? Long.parseLong(values.get(key)) : fallback;
    }
}
