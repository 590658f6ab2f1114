package net.mignet.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.net.Emulation;
import net.mignet.net.Fault;
import net.mignet.net.Host;
import net.mignet.net.HostCondition;
import net.mignet.net.LinkFlap;

/** The shell's fault verbs: {@code crash}, {@code restart}, {@code freeze}, {@code thaw}, {@code flap}, {@code faults}. */
final class FaultCommands {
    private final Emulation net;
    private final AppManager apps;

    FaultCommands(Emulation net, AppManager apps) {
        this.net = net;
        this.apps = apps;
    }

    void registerAll(Shell shell) {
        shell.register(fault("crash", "crash <host>", "kill every process on a host at once and take its interfaces"
                + " down, as a power cut would; its apps are shown as crashed"));
        shell.register(fault("restart", "restart <host>", "bring a crashed host's interfaces up again (its apps"
                + " stay crashed: deploy them again)"));
        shell.register(fault("freeze", "freeze <host>", "stop every process on a host (" + net.faults()
                .freezeMethod().description() + " here); its kernel still answers ping and ARP"));
        shell.register(fault("thaw", "thaw <host>", "let a frozen host's processes run on"));
        shell.register(fault("flap", "flap <a> <b> <period>|cancel [count]", "cut and restore the links between two"
                + " nodes count times in the background, each period half down, half up, e.g. flap h1 s1 2s 5; a"
                + " line says when it is over; flap h1 s1 cancel stops it"));
        shell.register(new ShellCommand("faults", "faults", "hosts that are crashed or frozen, running flaps",
                (a, out) -> list(a, out)));
    }

    private ShellCommand fault(String verb, String usage, String help) {
        return new ShellCommand(verb, usage, help, (args, out) -> {
            List<String> words = new ArrayList<>(List.of(verb));
            words.addAll(args);
            Fault fault = Fault.parse(words);
            out.println(fault.apply(net.faults(), report -> {
                out.println("*** " + report.describe());
                out.flush();
            }));
            if (fault instanceof Fault.Crash c) {
                for (App app : apps.apps()) {
                    if (app.crash().filter(f -> f.host().equals(c.host())).isPresent()) {
                        out.println("    " + app.name() + " crashed");
                    }
                }
            }
        });
    }

    private void list(List<String> args, PrintStream out) {
        if (!args.isEmpty()) {
            throw new IllegalArgumentException("usage: faults (it takes no arguments)");
        }
        boolean any = false;
        for (Host h : net.hosts()) {
            if (h.condition() != HostCondition.UP) {
                out.println(h.name() + " " + h.condition().word());
                any = true;
            }
        }
        for (LinkFlap f : net.faults().flaps()) {
            // A cancelled flap is listed until its thread has brought the links up again, moments later.
            out.println(f + ": " + f.transitions().size() + " transitions so far"
                    + (f.isCancelled() ? "; cancelled, bringing the links up" : ""));
            any = true;
        }
        if (!any) {
            out.println("(no faults: every host is up, no link flaps)");
        }
    }
}
