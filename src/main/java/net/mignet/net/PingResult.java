package net.mignet.net;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The outcome of {@code ping}, with its raw output for people and its numbers for programs. */
public record PingResult(int transmitted, int received, List<Double> rttMillis, String output) {
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) (?:packets )?received");
    private static final Pattern RTT = Pattern.compile("time=([0-9.]+) ms");

    public PingResult {
        rttMillis = List.copyOf(rttMillis);
    }

    public static PingResult parse(String output) {
        Matcher summary = SUMMARY.matcher(output);
        int tx = 0;
        int rx = 0;
        if (summary.find()) {
            tx = Integer.parseInt(summary.group(1));
            rx = Integer.parseInt(summary.group(2));
        }
        List<Double> rtts = new ArrayList<>();
        Matcher rtt = RTT.matcher(output);
        while (rtt.find()) {
            rtts.add(Double.parseDouble(rtt.group(1)));
        }
        return new PingResult(tx, rx, rtts, output);
    }

    public boolean allReceived() {
        return transmitted > 0 && received == transmitted;
    }

    public double lossPercent() {
        return transmitted == 0 ? 100.0 : 100.0 * (transmitted - received) / transmitted;
    }
}
