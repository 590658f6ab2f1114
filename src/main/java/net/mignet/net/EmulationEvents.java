package net.mignet.net;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Where the parts of an emulation announce what happened, for whoever records the run (the results directory).
 * Publishing never fails the caller: a broken listener must not stop a migration or a link change.
 */
public final class EmulationEvents {
    private final List<Consumer<EmulationEvent>> listeners = new CopyOnWriteArrayList<>();

    /** Calls {@code listener} for every event from now on, until the returned handle is closed. */
    public AutoCloseable subscribe(Consumer<EmulationEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    public void publish(EmulationEvent event) {
        for (Consumer<EmulationEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                System.err.println("mignet: recording event " + event.kind() + " failed: " + e);
            }
        }
    }

    /** Publishes an event happening now; {@code keyValues} alternate key and value (values as text). */
    public void publish(String kind, Object detail, Object... keyValues) {
        publish(Instant.now(), kind, detail, keyValues);
    }

    public void publish(Instant time, String kind, Object detail, Object... keyValues) {
        if (listeners.isEmpty()) {
            return;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            fields.put(String.valueOf(keyValues[i]), String.valueOf(keyValues[i + 1]));
        }
        publish(new EmulationEvent(time, kind, fields, detail));
    }
}
