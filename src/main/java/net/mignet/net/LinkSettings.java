package net.mignet.net;

import java.util.ArrayList;
import java.util.List;
import net.mignet.topo.LinkParams;

/**
 * The arguments of {@code link <a> <b> set [from=<node>] [clear] key=value...}: which directions to change and
 * how. Keys and values are those of topology files ({@link LinkParams#with}); parameters not named keep their
 * value, {@code key=none} removes one, {@code clear} removes all first.
 */
public record LinkSettings(String from, boolean clear, List<String[]> settings) {

    public static LinkSettings parse(List<String> words, String node1, String node2) {
        String from = null;
        boolean clear = false;
        List<String[]> settings = new ArrayList<>();
        for (String w : words) {
            if (w.equals("clear")) {
                clear = true;
                continue;
            }
            int eq = w.indexOf('=');
            String[] last = settings.isEmpty() ? null : settings.getLast();
            if (eq < 0 && last != null && last[0].equals("loss") && last[1].startsWith("gemodel")) {
                last[1] = last[1] + " " + w; // loss=gemodel 1% 30%: the model's numbers come as words of their own
                continue;
            }
            if (eq <= 0 || eq == w.length() - 1) {
                throw new IllegalArgumentException("'" + w + "' is not key=value; write e.g. delay=20ms loss=1%"
                        + " (keys: " + String.join(" ", LinkParams.KEYS) + ", or from=<node>, or clear)");
            }
            String key = w.substring(0, eq);
            String value = w.substring(eq + 1);
            if (key.equals("from")) {
                if (!value.equals(node1) && !value.equals(node2)) {
                    throw new IllegalArgumentException("from=" + value + ": the direction must start at " + node1
                            + " or " + node2);
                }
                from = value;
            } else {
                settings.add(new String[] {key, value});
            }
        }
        for (String[] setting : settings) {
            LinkParams.NONE.with(setting[0], setting[1]); // reports a bad key or value before anything changes
        }
        if (!clear && settings.isEmpty()) {
            throw new IllegalArgumentException("nothing to set; write e.g. link " + node1 + " " + node2
                    + " set delay=20ms loss=1%");
        }
        return new LinkSettings(from, clear, settings);
    }

    public LinkParams applyTo(LinkParams current) {
        LinkParams p = clear ? LinkParams.NONE : current;
        for (String[] s : settings) {
            p = p.with(s[0], s[1]);
        }
        return p;
    }

    public void applyTo(Link link) {
        LinkParams forward = link.paramsAToB();
        LinkParams backward = link.paramsBToA();
        boolean changeForward = from == null || from.equals(link.a().node());
        boolean changeBackward = from == null || from.equals(link.b().node());
        link.set(changeForward ? applyTo(forward) : forward, changeBackward ? applyTo(backward) : backward);
    }
}
