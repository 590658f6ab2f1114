package net.mignet.topo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Gilbert-Elliott burst loss model, with netem's parameters ({@code loss gemodel p r 1-h 1-k}), all in
 * percent: a two-state chain whose "bad" state loses most frames, so losses come in bursts.
 *
 * @param p          chance per frame of going from good to bad
 * @param r          chance per frame of going from bad back to good
 * @param oneMinusH  loss chance in the bad state
 * @param oneMinusK  loss chance in the good state
 */
public record GilbertElliott(double p, double r, double oneMinusH, double oneMinusK) {

    public GilbertElliott {
        check("p", p);
        check("r", r);
        check("1-h", oneMinusH);
        check("1-k", oneMinusK);
    }

    private static void check(String name, double v) {
        if (!(v >= 0 && v <= 100)) {
            throw new IllegalArgumentException("gemodel " + name + " must be within 0..100 %, was " + v);
        }
    }

    /**
     * Parses {@code gemodel P [R [1-H [1-K]]]} (netem's syntax; values separated by spaces or commas). As in
     * tc, R defaults to 100 - P, 1-H to 100 % and 1-K to 0 %.
     */
    public static GilbertElliott parse(String text) {
        String[] words = text.trim().split("[\\s,]+");
        if (words.length < 2 || words.length > 5 || !words[0].equals("gemodel")) {
            throw new IllegalArgumentException("'" + text + "' is not a loss model; write e.g. 'gemodel 1% 30% 100% 0%'"
                    + " (p, r, 1-h, 1-k)");
        }
        List<Double> v = new ArrayList<>();
        for (int i = 1; i < words.length; i++) {
            v.add(LinkParams.parsePercent(words[i]));
        }
        double p = v.get(0);
        return new GilbertElliott(p, v.size() > 1 ? v.get(1) : 100 - p, v.size() > 2 ? v.get(2) : 100,
                v.size() > 3 ? v.get(3) : 0);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "gemodel %s%% %s%% %s%% %s%%", LinkParams.formatNumber(p),
                LinkParams.formatNumber(r), LinkParams.formatNumber(oneMinusH), LinkParams.formatNumber(oneMinusK));
    }
}
