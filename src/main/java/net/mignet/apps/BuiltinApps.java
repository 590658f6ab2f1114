package net.mignet.apps;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The Java programs that ship with mignet, by the name a user deploys them with. */
public final class BuiltinApps {
    private static final Map<String, Class<?>> BY_NAME = new TreeMap<>(Map.of(
            "counter-service", CounterService.class,
            "counter-client", CounterClient.class,
            "kv-service", KvService.class,
            "kv-client", KvClient.class));

    private BuiltinApps() {
    }

    public static Optional<Class<?>> mainClass(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** The built-in name of a main class, if it is one of ours. */
    public static Optional<String> nameOf(String mainClassName) {
        return BY_NAME.entrySet().stream().filter(e -> e.getValue().getName().equals(mainClassName))
                .map(Map.Entry::getKey).findFirst();
    }

    public static java.util.Set<String> names() {
        return BY_NAME.keySet();
    }
}
