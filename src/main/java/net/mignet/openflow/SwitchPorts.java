package net.mignet.openflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.mignet.kernel.Command;
import net.mignet.kernel.CommandResult;
import net.mignet.net.Switch;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A switch's ports as OpenFlow numbers them: 1, 2, ... in link order (the order of {@link Switch#ports()}), so
 * the numbers are stable for the life of the emulation. Names are the switch-side interface names.
 */
final class SwitchPorts {
    private final Switch sw;

    SwitchPorts(Switch sw) {
        this.sw = sw;
    }

    List<String> names() {
        return sw.ports();
    }

    /** The port's number, or empty when the switch has no port of that name. */
    Optional<Integer> number(String name) {
        int i = sw.ports().indexOf(name);
        return i < 0 ? Optional.empty() : Optional.of(i + 1);
    }

    /** The port's name, or empty when the number is no port of this switch. */
    Optional<String> name(int number) {
        return number >= 1 && number <= sw.ports().size() ? Optional.of(sw.ports().get(number - 1))
                : Optional.empty();
    }

    /** Every port's state and counters, read from the kernel now in one {@code ip} call. */
    List<PortState> states() {
        CommandResult r = Command.check(List.of("ip", "-n", sw.fabricNamespace(), "-s", "-j", "link", "show"));
        Object parsed = new Load(LoadSettings.builder().build()).loadFromString(r.stdout());
        List<PortState> states = new ArrayList<>();
        if (!(parsed instanceof List<?> links)) {
            return states;
        }
        for (Object o : links) {
            if (!(o instanceof Map<?, ?> link) || !(link.get("ifname") instanceof String name)) {
                continue;
            }
            Optional<Integer> number = number(name);
            if (number.isEmpty()) {
                continue;
            }
            Map<?, ?> stats = link.get("stats64") instanceof Map<?, ?> m ? m : Map.of();
            Map<?, ?> rx = stats.get("rx") instanceof Map<?, ?> m ? m : Map.of();
            Map<?, ?> tx = stats.get("tx") instanceof Map<?, ?> m ? m : Map.of();
            Object flags = link.get("flags");
            boolean up = flags instanceof List<?> f && f.contains("LOWER_UP") && f.contains("UP");
            long mac = link.get("address") instanceof String a ? parseMac(a) : 0;
            states.add(new PortState(number.get(), name, mac, up, num(rx, "packets"), num(tx, "packets"),
                    num(rx, "bytes"), num(tx, "bytes"), num(rx, "dropped"), num(tx, "dropped"), num(rx, "errors"),
                    num(tx, "errors")));
        }
        states.sort(java.util.Comparator.comparingInt(PortState::number));
        return states;
    }

    private static long num(Map<?, ?> m, String key) {
        return m.get(key) instanceof Number n ? n.longValue() : 0;
    }

    private static long parseMac(String text) {
        long bits = 0;
        for (String part : text.split(":")) {
            bits = (bits << 8) | Integer.parseInt(part, 16);
        }
        return bits;
    }
}
