package net.mignet.apps;

import java.util.Locale;
import java.util.SplittableRandom;

/** The share of gets, puts and deletes a client sends, e.g. {@code get=50,put=40,delete=10}. */
record KvMix(int get, int put, int delete) {
    KvMix {
        if (get < 0 || put < 0 || delete < 0 || get + put + delete == 0) {
            throw new IllegalArgumentException("a mix needs shares of at least 0 that are not all 0");
        }
    }

    static KvMix parse(String text) {
        int get = 0;
        int put = 0;
        int delete = 0;
        for (String part : text.split(",")) {
            String[] kv = part.strip().split("=");
            if (kv.length != 2) {
                throw new IllegalArgumentException("'" + part + "' is not op=share; write e.g."
                        + " get=50,put=40,delete=10");
            }
            int share;
            try {
                share = Integer.parseInt(kv[1].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + kv[1] + "' is not a whole number in the mix");
            }
            switch (kv[0].strip().toLowerCase(Locale.ROOT)) {
                case "get" -> get = share;
                case "put" -> put = share;
                case "delete" -> delete = share;
                default -> throw new IllegalArgumentException("'" + kv[0] + "' is no operation: get, put, delete");
            }
        }
        return new KvMix(get, put, delete);
    }

    KvProtocol.Op pick(SplittableRandom random) {
        int r = random.nextInt(get + put + delete);
        return r < get ? KvProtocol.Op.GET : r < get + put ? KvProtocol.Op.PUT : KvProtocol.Op.DELETE;
    }
}
