package net.mignet.migrate;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.mignet.kernel.Command;
import net.mignet.net.Emulation;

/**
 * Random loss on switch ports, in the kernel: an nftables netdev table of its own whose ingress chains drop
 * every n-th packet on average ({@code numgen random}), in front of the switch's flow table.
 */
final class LossInjection implements AutoCloseable {
    private static final String TABLE = "mignet_test_loss";
    private final String namespace;

    private LossInjection(String namespace) {
        this.namespace = namespace;
    }

    static LossInjection onPorts(Emulation net, String switchName, List<String> ports, int percent) {
        String namespace = net.id().fabricNamespace();
        StringBuilder script = new StringBuilder("table netdev " + TABLE + " {\n  counter dropped { }\n");
        for (int i = 0; i < ports.size(); i++) {
            script.append("  chain p").append(i).append(" { type filter hook ingress device \"").append(ports.get(i))
                    .append("\" priority -10; policy accept;\n    numgen random mod 100 < ").append(percent)
                    .append(" counter name \"dropped\" drop\n  }\n");
        }
        script.append("}\n");
        Command.check(List.of("ip", "netns", "exec", namespace, "nft", "-f", "-"), script.toString());
        return new LossInjection(namespace);
    }

    long dropped() {
        String out = Command.check(List.of("ip", "netns", "exec", namespace, "nft", "list", "counter", "netdev",
                TABLE, "dropped")).stdout();
        Matcher m = Pattern.compile("packets (\\d+)").matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Override
    public void close() {
        Command.run(List.of("ip", "netns", "exec", namespace, "nft", "delete", "table", "netdev", TABLE));
    }
}
