package net.mignet.kernel;

/**
 * One nftables table holding a slice of a switch's flow table: the rules of one priority whose ids fall in one
 * block of {@value #BLOCK}. nf_tables checks a whole table on every transaction that adds a rule, and copies each
 * changed chain whole, so one table of 10 000 rules makes each change cost milliseconds; slices keep that small.
 * Blocks of 64 cost a single change about a third less than blocks of 256 (each new rule lands in the newest,
 * half-full block on average); a port's ingress then runs one more hook per 64 rules of a priority, which is
 * little beside matching those rules one by one. As a device takes at most 1024 hooks, a switch holds up to
 * about 65 000 rules of one priority. Slices hook into each port's
 * ingress at priorities in table order (higher flow priority first, then older blocks), so a frame meets the rules
 * in the order the switch tries them. As {@code accept} ends only one slice's chain, the {@code normal} action
 * marks the frame ({@link #NORMAL_MARK}) and every slice lets a marked frame pass untouched; the head table, run
 * first, clears the mark a frame may carry from another switch.
 *
 * @param priority the flow priority of the slice's rules
 * @param block    their id divided by {@value #BLOCK} (ids beyond the last block share it, in id order still)
 */
public record NftShard(int priority, int block) implements Comparable<NftShard> {
    public static final int BLOCK = 64;
    /** The packet mark bit of a frame a rule handed to the bridge ({@code normal}). */
    public static final int NORMAL_MARK = 0x10000000;
    /** Hook priority of the head table: before every slice. */
    public static final int HEAD_HOOK_PRIORITY = Integer.MIN_VALUE;
    private static final int BLOCKS = 32768;
    /** The block whose hook priority the shape tables of a priority take ({@link NftFlowShape}): after its rules. */
    public static final int SHAPE_BLOCK = BLOCKS - 1;

    public static NftShard of(int priority, long id) {
        return new NftShard(priority, (int) Math.min(SHAPE_BLOCK - 1, id / BLOCK));
    }

    /** The slice's table: the head table's name with the priority and block. */
    public String table(String head) {
        return head + "__" + priority + "_" + block;
    }

    /** Ingress hook priority: higher flow priorities first, then lower blocks, all after the head table. */
    public int hookPriority() {
        return (int) ((long) (65535 - priority) * BLOCKS + block - (1L << 31) + BLOCKS);
    }

    /** Table order: the slice whose rules the switch tries first comes first. */
    @Override
    public int compareTo(NftShard o) {
        return Integer.compare(hookPriority(), o.hookPriority());
    }

    /** The shard of a table name of switch table {@code head}, or null when it is none. */
    public static NftShard parse(String head, String table) {
        String prefix = head + "__";
        if (!table.startsWith(prefix)) {
            return null;
        }
        // Called for every table of a namespace (counter listings): no regular expression, no exception.
        int separator = table.indexOf('_', prefix.length());
        if (separator < 0) {
            return null;
        }
        int priority = digits(table, prefix.length(), separator);
        int block = digits(table, separator + 1, table.length());
        return priority < 0 || block < 0 ? null : new NftShard(priority, block);
    }

    /** The number written in {@code text} from {@code start} to {@code end}, or -1 when that is no number. */
    private static int digits(String text, int start, int end) {
        if (start >= end || end - start > 9) {
            return -1;
        }
        int value = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
