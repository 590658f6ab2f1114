package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * nf_tables spoken directly over netlink: a transaction of rule and counter changes is one batch sent with one
 * system call, where {@code nft} would parse text and fetch the whole ruleset again before every change (over a
 * millisecond on an empty table, tens with thousands of rules). The kernel applies a batch atomically; the handles
 * of added rules, which later deletes and replacements name, are predicted or echoed (see {@link Transaction}).
 */
public final class NftNetlink implements AutoCloseable {
    static final int NETLINK_NETFILTER = 12;
    static final int NFPROTO_NETDEV = 5;
    private static final int NFNL_SUBSYS_NFTABLES = 10;
    private static final int NFNL_MSG_BATCH_BEGIN = 0x10;
    private static final int NFNL_MSG_BATCH_END = 0x11;
    private static final int NFT_MSG_NEWTABLE = 0;
    private static final int NFT_MSG_GETTABLE = 1;
    private static final int NFT_MSG_DELTABLE = 2;
    private static final int NFT_MSG_NEWCHAIN = 3;
    private static final int NFT_MSG_NEWRULE = 6;
    private static final int NFT_MSG_GETRULE = 7;
    private static final int NFT_MSG_DELRULE = 8;
    private static final int NFT_MSG_NEWSET = 9;
    private static final int NFT_MSG_NEWSETELEM = 12;
    private static final int NFT_MSG_GETSETELEM = 13;
    private static final int NFT_MSG_DELSETELEM = 14;
    private static final int NFTA_SET_TABLE = 1;
    private static final int NFTA_SET_NAME = 2;
    private static final int NFTA_SET_FLAGS = 3;
    private static final int NFTA_SET_KEY_TYPE = 4;
    private static final int NFTA_SET_KEY_LEN = 5;
    private static final int NFTA_SET_ID = 10;
    private static final int NFTA_SET_EXPR = 17;
    private static final int NFTA_SET_ELEM_LIST_TABLE = 1;
    private static final int NFTA_SET_ELEM_LIST_SET = 2;
    private static final int NFTA_SET_ELEM_LIST_ELEMENTS = 3;
    private static final int NFTA_SET_ELEM_KEY = 1;
    private static final int NFTA_SET_ELEM_EXPR = 7;
    private static final int NFTA_SET_ELEM_EXPRESSIONS = 11;
    private static final int NFTA_LIST_ELEM = 1;
    private static final int NFTA_DATA_VALUE = 1;
    private static final int NFTA_EXPR_NAME = 1;
    private static final int NFTA_EXPR_DATA = 2;
    private static final int NFT_MSG_NEWOBJ = 18;
    /** Elements per message: each takes at most about 80 bytes, and a message's element list at most 64 KB. */
    private static final int ELEMENTS_PER_MESSAGE = 512;
    private static final int NFT_MSG_GETOBJ = 19;
    private static final int NFT_MSG_DELOBJ = 20;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_ECHO = 0x8;
    private static final int NLM_F_DUMP = 0x300;
    private static final int NLM_F_REPLACE = 0x100;
    private static final int NLM_F_CREATE = 0x400;
    private static final int NLM_F_APPEND = 0x800;
    private static final int NFTA_RULE_TABLE = 1;
    private static final int NFTA_RULE_CHAIN = 2;
    private static final int NFTA_RULE_HANDLE = 3;
    private static final int NFTA_RULE_EXPRESSIONS = 4;
    private static final int NFTA_RULE_POSITION = 6;
    private static final int NFTA_RULE_USERDATA = 7;
    private static final int NFTA_RULE_ID = 9;
    private static final int NFTA_TABLE_NAME = 1;
    private static final int NFTA_CHAIN_TABLE = 1;
    private static final int NFTA_CHAIN_NAME = 3;
    private static final int NFTA_CHAIN_HOOK = 4;
    private static final int NFTA_CHAIN_POLICY = 5;
    private static final int NFTA_CHAIN_TYPE = 7;
    private static final int NFTA_HOOK_HOOKNUM = 1;
    private static final int NFTA_HOOK_PRIORITY = 2;
    private static final int NFTA_HOOK_DEV = 3;
    private static final int NF_NETDEV_INGRESS = 0;
    private static final int NF_ACCEPT = 1;
    private static final int NFTA_OBJ_TABLE = 1;
    private static final int NFTA_OBJ_NAME = 2;
    private static final int NFTA_OBJ_TYPE = 3;
    private static final int NFTA_OBJ_DATA = 4;
    private static final int NFT_OBJECT_COUNTER = 1;
    private static final int NFTA_COUNTER_BYTES = 1;
    private static final int NFTA_COUNTER_PACKETS = 2;
    /** The comment type of nft's rule user data, so {@code nft list} shows our rules' ids as comments. */
    private static final int UDATA_RULE_COMMENT = 0;
    private static final int SOL_SOCKET = 1;
    private static final int SO_SNDBUFFORCE = 32;
    private static final int SO_RCVBUFFORCE = 33;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EAGAIN = 11;
    private static final int ENOBUFS = 105;
    /** Room for the echoes of a large batch: a few hundred bytes each, counted with the kernel's overhead. */
    private static final int BUFFER_BYTES = 256 << 20;

    private static final MethodHandle RECV = NativeCalls.downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ValueLayout.ADDRESS, JAVA_LONG, JAVA_INT));

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment in = arena.allocate(1 << 20);
    /** The native copy of what is sent; grows with the largest batch (the arena frees it with the socket). */
    private MemorySegment out;
    /** Not guarded by this object's lock: a transaction is built while another one is committed. */
    private final AtomicInteger sequence = new AtomicInteger((int) (System.nanoTime() & 0x3fffffff));

    private NftNetlink(int fd) {
        this.fd = fd;
    }

    /** Opens a socket bound to the calling thread's network namespace; usable from any thread afterwards. */
    public static NftNetlink open() {
        int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, NETLINK_NETFILTER);
        try {
            NativeCalls.setIntOption(fd, SOL_SOCKET, SO_RCVBUFFORCE, BUFFER_BYTES, "SO_RCVBUFFORCE");
            NativeCalls.setIntOption(fd, SOL_SOCKET, SO_SNDBUFFORCE, BUFFER_BYTES, "SO_SNDBUFFORCE");
        } catch (RuntimeException e) {
            NativeCalls.close(fd);
            throw e;
        }
        return new NftNetlink(fd);
    }

    /** A rule as the kernel holds it: its table, chain, handle and the comment it carries (null when none). */
    public record KernelRule(String table, String chain, long handle, String comment) {
    }

    /** The names of the netdev family's tables. */
    public synchronized List<String> tables() {
        NetlinkMessages m = new NetlinkMessages();
        int start = m.begin((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE, NLM_F_REQUEST | NLM_F_DUMP,
                sequence.incrementAndGet(), NFPROTO_NETDEV, 0);
        m.end(start);
        List<String> tables = new ArrayList<>();
        dump(m, "list the nftables tables", (offset, length) -> {
            for (Attributes a = new Attributes(offset + 20, offset + length); a.next(); ) {
                if (a.type == NFTA_TABLE_NAME) {
                    tables.add(string(a.payload, a.length));
                }
            }
        });
        return tables;
    }

    /** Where a new rule goes in its chain. */
    public sealed interface Position {
        /** At the end of the chain. */
        record End() implements Position {
        }

        /** Just before the rule with this handle. */
        record Before(long handle) implements Position {
        }
    }

    /** Starts a transaction on tables of the netdev family. */
    public Transaction begin() {
        return new Transaction();
    }

    /**
     * Changes collected and sent as one batch by {@link #commit}.
     * <p>
     * nf_tables gives the chains, rules and counters of a table handles from one counter per table, in the order
     * of the batch's messages (a replaced rule keeps its handle). Where the caller tells the counter's value
     * ({@link #knowGenerator}, or a table the transaction adds), new rules' handles are predicted instead of
     * asked for: the kernel then neither writes nor sends an echo of each rule. Rules of other tables are echoed,
     * and the echo tells the counter for the next transaction ({@link #generator}). A batch the kernel replays
     * (after loading a module) would take other handles, so the first transaction loads the modules of the
     * expressions whose modules may be missing (see {@link #loadExpressionModules}).
     */
    public final class Transaction {
        private final NetlinkMessages m = new NetlinkMessages(2048);
        /** What each message does, for errors: verb, table, object. */
        private final List<String[]> described = new ArrayList<>();
        private final int base;
        private int rulesEchoed;
        /** Per table: the last handle given so far in this transaction, or -1 when not known. */
        private final Map<String, Long> generators = new HashMap<>();
        /** Tables whose last handle-taking message is an echoed rule: the echo then tells the counter. */
        private final Map<String, Boolean> lastIsEcho = new HashMap<>();

        private Transaction() {
            this.base = reserveSequences();
            int start = m.begin(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, base, 0, NFNL_SUBSYS_NFTABLES);
            m.end(start);
        }

        /**
         * Tells the last handle the kernel gave in {@code table} (-1: not known), so the handles of rules this
         * transaction adds there are predicted, not echoed.
         */
        public void knowGenerator(String table, long lastHandle) {
            generators.put(table, lastHandle);
        }

        /** After a successful {@link #commit}: the last handle given in {@code table}, or -1 when not known. */
        public long generator(String table) {
            return generators.getOrDefault(table, -1L);
        }

        /** Takes the table's next handle: its number, or -1 when the table's counter is not known. */
        private long allocate(String table, boolean echoed) {
            long last = generators.getOrDefault(table, -1L);
            lastIsEcho.put(table, echoed);
            if (last < 0) {
                return -1;
            }
            generators.put(table, last + 1);
            return last + 1;
        }

        public void addTable(String table) {
            int start = message(NFT_MSG_NEWTABLE, NLM_F_CREATE, "add table", table, "");
            m.string(NFTA_TABLE_NAME, table);
            m.end(start);
            generators.put(table, 0L);
        }

        /** Deletes a table with all its chains, rules and counters. */
        public void deleteTable(String table) {
            int start = message(NFT_MSG_DELTABLE, 0, "delete table", table, "");
            m.string(NFTA_TABLE_NAME, table);
            m.end(start);
            generators.remove(table);
            lastIsEcho.remove(table);
        }

        /** Adds a filter chain on the ingress hook of {@code device}, accepting what no rule decides. */
        public void addIngressChain(String table, String chain, String device, int priority) {
            int start = message(NFT_MSG_NEWCHAIN, NLM_F_CREATE, "add chain", table, chain + " on " + device);
            m.string(NFTA_CHAIN_TABLE, table);
            m.string(NFTA_CHAIN_NAME, chain);
            int hook = m.nested(NFTA_CHAIN_HOOK);
            m.be32(NFTA_HOOK_HOOKNUM, NF_NETDEV_INGRESS);
            m.be32(NFTA_HOOK_PRIORITY, priority);
            m.string(NFTA_HOOK_DEV, device);
            m.endNested(hook);
            m.be32(NFTA_CHAIN_POLICY, NF_ACCEPT);
            m.string(NFTA_CHAIN_TYPE, "filter");
            m.end(start);
            allocate(table, false);
        }

        /** Adds a rule that is never changed alone (no echo, no comment). */
        public void addFixedRule(String table, String chain, byte[] expressions) {
            int start = message(NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, "add rule", table, chain);
            m.string(NFTA_RULE_TABLE, table);
            m.string(NFTA_RULE_CHAIN, chain);
            int list = m.nested(NFTA_RULE_EXPRESSIONS);
            m.raw(expressions);
            m.endNested(list);
            m.end(start);
            allocate(table, false);
        }

        public void addCounter(String table, String name) {
            addCounter(table, name, 0, 0);
        }

        /** Adds a named counter that starts at these counts (a flow's, moved from elsewhere). */
        public void addCounter(String table, String name, long packets, long bytes) {
            int start = message(NFT_MSG_NEWOBJ, NLM_F_CREATE, "add counter", table, name);
            m.string(NFTA_OBJ_TABLE, table);
            m.string(NFTA_OBJ_NAME, name);
            m.be32(NFTA_OBJ_TYPE, NFT_OBJECT_COUNTER);
            int data = m.nested(NFTA_OBJ_DATA);
            m.be64(NFTA_COUNTER_BYTES, bytes);
            m.be64(NFTA_COUNTER_PACKETS, packets);
            m.endNested(data);
            m.end(start);
            allocate(table, false);
        }

        /**
         * Adds a set of {@code keyType} (nftables' datatype ids, 6 bits each for a concatenation) and
         * {@code keyLength} bytes whose every element counts the packets and bytes it matched.
         */
        public void addCountingSet(String table, String set, int keyType, int keyLength) {
            int start = message(NFT_MSG_NEWSET, NLM_F_CREATE, "add set", table, set);
            m.string(NFTA_SET_TABLE, table);
            m.string(NFTA_SET_NAME, set);
            m.be32(NFTA_SET_FLAGS, 0);
            m.be32(NFTA_SET_KEY_TYPE, keyType);
            m.be32(NFTA_SET_KEY_LEN, keyLength);
            m.be32(NFTA_SET_ID, described.size());
            int expr = m.nested(NFTA_SET_EXPR);
            m.string(NFTA_EXPR_NAME, "counter");
            m.endNested(m.nested(NFTA_EXPR_DATA));
            m.endNested(expr);
            m.end(start);
            allocate(table, false);
        }

        /**
         * Adds elements with these keys to a counting set; {@code counts}, when not null, gives each its starting
         * packets and bytes (null entries start at 0).
         */
        public void addElements(String table, String set, List<byte[]> keys, List<long[]> counts) {
            // A netlink attribute's length has 16 bits: large lists go in several messages.
            for (int from = 0; from < keys.size(); from += ELEMENTS_PER_MESSAGE) {
                int to = Math.min(keys.size(), from + ELEMENTS_PER_MESSAGE);
                addElementMessage(table, set, keys.subList(from, to), counts == null ? null : counts.subList(from, to));
            }
        }

        private void addElementMessage(String table, String set, List<byte[]> keys, List<long[]> counts) {
            int start = message(NFT_MSG_NEWSETELEM, NLM_F_CREATE, "add elements to", table, set);
            m.string(NFTA_SET_ELEM_LIST_TABLE, table);
            m.string(NFTA_SET_ELEM_LIST_SET, set);
            int list = m.nested(NFTA_SET_ELEM_LIST_ELEMENTS);
            for (int i = 0; i < keys.size(); i++) {
                int elem = m.nested(NFTA_LIST_ELEM);
                key(keys.get(i));
                long[] c = counts == null ? null : counts.get(i);
                if (c != null && (c[0] != 0 || c[1] != 0)) {
                    int exprs = m.nested(NFTA_SET_ELEM_EXPRESSIONS);
                    int e = m.nested(NFTA_LIST_ELEM);
                    m.string(NFTA_EXPR_NAME, "counter");
                    int data = m.nested(NFTA_EXPR_DATA);
                    m.be64(NFTA_COUNTER_BYTES, c[1]);
                    m.be64(NFTA_COUNTER_PACKETS, c[0]);
                    m.endNested(data);
                    m.endNested(e);
                    m.endNested(exprs);
                }
                m.endNested(elem);
            }
            m.endNested(list);
            m.end(start);
        }

        /** Deletes the elements with these keys from a set. */
        public void deleteElements(String table, String set, List<byte[]> keys) {
            for (int from = 0; from < keys.size(); from += ELEMENTS_PER_MESSAGE) {
                deleteElementMessage(table, set, keys.subList(from, Math.min(keys.size(), from + ELEMENTS_PER_MESSAGE)));
            }
        }

        private void deleteElementMessage(String table, String set, List<byte[]> keys) {
            int start = message(NFT_MSG_DELSETELEM, 0, "delete elements of", table, set);
            m.string(NFTA_SET_ELEM_LIST_TABLE, table);
            m.string(NFTA_SET_ELEM_LIST_SET, set);
            int list = m.nested(NFTA_SET_ELEM_LIST_ELEMENTS);
            for (byte[] k : keys) {
                int elem = m.nested(NFTA_LIST_ELEM);
                key(k);
                m.endNested(elem);
            }
            m.endNested(list);
            m.end(start);
        }

        private void key(byte[] key) {
            int k = m.nested(NFTA_SET_ELEM_KEY);
            m.bytes(NFTA_DATA_VALUE, key);
            m.endNested(k);
        }

        /** Adds a rule at the end of a chain with a comment, never echoed (its handle is looked up if needed). */
        public void addCommentedRule(String table, String chain, byte[] expressions, String comment) {
            int start = message(NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, "add rule", table, chain + " "
                    + comment);
            m.string(NFTA_RULE_TABLE, table);
            m.string(NFTA_RULE_CHAIN, chain);
            ruleBody(expressions, comment);
            m.end(start);
            allocate(table, false);
        }

        public void deleteCounter(String table, String name) {
            int start = message(NFT_MSG_DELOBJ, 0, "delete counter", table, name);
            m.string(NFTA_OBJ_TABLE, table);
            m.string(NFTA_OBJ_NAME, name);
            m.be32(NFTA_OBJ_TYPE, NFT_OBJECT_COUNTER);
            m.end(start);
        }

        public void deleteRule(String table, String chain, long handle) {
            int start = message(NFT_MSG_DELRULE, 0, "delete rule", table, chain + " handle " + handle);
            m.string(NFTA_RULE_TABLE, table);
            m.string(NFTA_RULE_CHAIN, chain);
            m.be64(NFTA_RULE_HANDLE, handle);
            m.end(start);
        }

        /**
         * Adds a rule at {@code position}, with {@code ruleId} (non-zero, unique in the transaction) as its id in
         * the transaction. Returns its handle when the table's handle counter is known; otherwise returns -1 and
         * the kernel echoes the rule with its handle and comment ({@link Committed#added}).
         */
        public long addRule(String table, String chain, Position position, int ruleId, byte[] expressions,
                String comment) {
            boolean echo = generators.getOrDefault(table, -1L) < 0;
            int flags = NLM_F_CREATE | (echo ? NLM_F_ECHO : 0) | (position instanceof Position.End ? NLM_F_APPEND : 0);
            int start = message(NFT_MSG_NEWRULE, flags, "add rule", table, chain + " " + comment);
            m.string(NFTA_RULE_TABLE, table);
            m.string(NFTA_RULE_CHAIN, chain);
            switch (position) {
                case Position.End e -> { }
                case Position.Before b -> m.be64(NFTA_RULE_POSITION, b.handle());
            }
            ruleBody(expressions, comment);
            m.be32(NFTA_RULE_ID, ruleId);
            m.end(start);
            if (echo) {
                rulesEchoed++;
            }
            return allocate(table, echo);
        }

        /** Replaces the rule with {@code handle} in place; the new one keeps the handle. */
        public void replaceRule(String table, String chain, long handle, byte[] expressions, String comment) {
            int start = message(NFT_MSG_NEWRULE, NLM_F_REPLACE, "replace rule", table, chain + " " + comment);
            m.string(NFTA_RULE_TABLE, table);
            m.string(NFTA_RULE_CHAIN, chain);
            m.be64(NFTA_RULE_HANDLE, handle);
            ruleBody(expressions, comment);
            m.end(start);
        }

        public boolean isEmpty() {
            return described.isEmpty();
        }

        private void ruleBody(byte[] expressions, String comment) {
            int list = m.nested(NFTA_RULE_EXPRESSIONS);
            m.raw(expressions);
            m.endNested(list);
            byte[] text = (comment + "\0").getBytes(StandardCharsets.UTF_8);
            byte[] udata = new byte[2 + text.length];
            udata[0] = UDATA_RULE_COMMENT;
            udata[1] = (byte) text.length;
            System.arraycopy(text, 0, udata, 2, text.length);
            m.bytes(NFTA_RULE_USERDATA, udata);
        }

        private int message(int type, int flags, String verb, String table, String what) {
            described.add(new String[] {verb, table, what});
            return m.begin((NFNL_SUBSYS_NFTABLES << 8) | type, NLM_F_REQUEST | flags, base + described.size(),
                    NFPROTO_NETDEV, 0);
        }

        private String description(int index) {
            if (index < 0 || index >= described.size()) {
                return "the batch";
            }
            String[] d = described.get(index);
            return d[0] + " " + d[1] + (d[2].isEmpty() ? "" : " " + d[2]);
        }

        /**
         * Sends the batch. The kernel applies all of it or, when it refuses a part, nothing; then this throws,
         * naming the refused changes. Returns the echoed rules with their handles; when the kernel could not echo
         * them all (the socket's buffer overflowed), {@link Committed#complete} is false and the handle counters
         * of their tables are not known.
         */
        public Committed commit() {
            if (described.isEmpty()) {
                return new Committed(List.of(), true);
            }
            int end = m.begin(NFNL_MSG_BATCH_END, NLM_F_REQUEST, base + described.size() + 1, 0, NFNL_SUBSYS_NFTABLES);
            m.end(end);
            synchronized (NftNetlink.this) {
                Committed done = sendBatch();
                learnGenerators(done);
                return done;
            }
        }

        /** Tables whose counter was not known and whose last handle went to an echoed rule know it now. */
        private void learnGenerators(Committed done) {
            for (Map.Entry<String, Boolean> e : lastIsEcho.entrySet()) {
                if (e.getValue() && generators.getOrDefault(e.getKey(), -1L) < 0 && done.complete()) {
                    long last = -1;
                    for (KernelRule k : done.added()) {
                        if (e.getKey().equals(k.table())) {
                            last = Math.max(last, k.handle());
                        }
                    }
                    generators.put(e.getKey(), last);
                }
            }
        }

        private Committed sendBatch() {
            if (!modulesLoaded) {
                loadExpressionModules();
            }
            send(m.toArray());
            List<KernelRule> added = new ArrayList<>(rulesEchoed);
            List<String> errors = new ArrayList<>();
            // The kernel handles a batch within the sending call, so its every answer is queued by now.
            boolean complete = drain(false, (type, offset, length) -> {
                if (type == NLMSG_ERROR) {
                    int error = in.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 16);
                    int seq = in.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 16 + 4 + 8);
                    if (error != 0) {
                        errors.add(description(seq - base - 1) + ": " + NativeCalls.strerror(-error));
                    }
                } else if (type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE)) {
                    added.add(parseRule(offset, length));
                }
                return true;
            });
            if (!errors.isEmpty()) {
                throw new IllegalStateException("the kernel refused the flow change: " + String.join("; ",
                        errors.subList(0, Math.min(5, errors.size()))) + (errors.size() > 5 ? " and "
                        + (errors.size() - 5) + " more" : ""));
            }
            return new Committed(added, complete && added.size() == rulesEchoed);
        }
    }

    /** Whether the modules of the expressions a batch may use are loaded (see {@link #loadExpressionModules}). */
    private boolean modulesLoaded;

    /**
     * Makes the kernel load the modules of the {@code fwd} and {@code dup} expressions (on kernels that have them as
     * modules), with a batch that adds a table with a rule of each and deletes it again. The kernel loads a
     * missing module by aborting a batch and running it again, which gives the rules of that batch other handles
     * than predicted; after this no batch of ours needs a module loaded. An error here (a kernel without these
     * expressions) is left to the batch that uses them.
     */
    private void loadExpressionModules() {
        modulesLoaded = true;
        NetlinkMessages w = new NetlinkMessages();
        int seq = reserveSequences();
        String table = "mignet__module_probe";
        w.end(w.begin(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seq, 0, NFNL_SUBSYS_NFTABLES));
        int start = w.begin((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE, NLM_F_REQUEST | NLM_F_CREATE, seq + 1,
                NFPROTO_NETDEV, 0);
        w.string(NFTA_TABLE_NAME, table);
        w.end(start);
        start = w.begin((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWCHAIN, NLM_F_REQUEST | NLM_F_CREATE, seq + 2,
                NFPROTO_NETDEV, 0);
        w.string(NFTA_CHAIN_TABLE, table);
        w.string(NFTA_CHAIN_NAME, "c");
        w.end(start);
        for (int i = 0; i < 2; i++) {
            start = w.begin((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE, NLM_F_REQUEST | NLM_F_CREATE
                    | NLM_F_APPEND, seq + 3 + i, NFPROTO_NETDEV, 0);
            w.string(NFTA_RULE_TABLE, table);
            w.string(NFTA_RULE_CHAIN, "c");
            int list = w.nested(NFTA_RULE_EXPRESSIONS);
            w.raw(NftRuleEncoder.forwardToIndex(1, i == 1));
            w.endNested(list);
            w.end(start);
        }
        start = w.begin((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_DELTABLE, NLM_F_REQUEST, seq + 5, NFPROTO_NETDEV, 0);
        w.string(NFTA_TABLE_NAME, table);
        w.end(start);
        w.end(w.begin(NFNL_MSG_BATCH_END, NLM_F_REQUEST, seq + 6, 0, NFNL_SUBSYS_NFTABLES));
        send(w.toArray());
        drain(false, (type, offset, length) -> true);
    }

    /** Sequence numbers for one transaction's messages, apart from every other transaction's. */
    private int reserveSequences() {
        return sequence.getAndUpdate(s -> (s + (1 << 22)) & 0x3fffffff);
    }

    /** The rules a transaction added, with their handles; {@code complete} when every one was echoed. */
    public record Committed(List<KernelRule> added, boolean complete) {
    }

    /** Every rule of {@code table} (netdev family) with its chain, handle and comment. */
    public synchronized List<KernelRule> rules(String table) {
        NetlinkMessages m = new NetlinkMessages();
        int start = m.begin((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE, NLM_F_REQUEST | NLM_F_DUMP,
                sequence.incrementAndGet(), NFPROTO_NETDEV, 0);
        m.string(NFTA_RULE_TABLE, table);
        m.end(start);
        List<KernelRule> rules = new ArrayList<>();
        dump(m, "list the rules of " + table, (offset, length) -> rules.add(parseRule(offset, length)));
        return rules;
    }

    /**
     * Packets and bytes of every named counter of the tables {@code accepts} takes (all tables when null), by
     * counter name.
     */
    public synchronized Map<String, long[]> counters(java.util.function.Predicate<String> accepts) {
        NetlinkMessages m = new NetlinkMessages();
        int start = m.begin((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETOBJ, NLM_F_REQUEST | NLM_F_DUMP,
                sequence.incrementAndGet(), NFPROTO_NETDEV, 0);
        m.be32(NFTA_OBJ_TYPE, NFT_OBJECT_COUNTER);
        m.end(start);
        Map<String, long[]> counters = new HashMap<>();
        dump(m, "read the flow counters", (offset, length) -> {
            String name = null;
            String table = null;
            long[] value = new long[2];
            for (Attributes a = new Attributes(offset + 20, offset + length); a.next(); ) {
                if (a.type == NFTA_OBJ_NAME) {
                    name = string(a.payload, a.length);
                } else if (a.type == NFTA_OBJ_TABLE) {
                    table = string(a.payload, a.length);
                } else if (a.type == NFTA_OBJ_DATA) {
                    counterData(a.payload, a.length, value);
                }
            }
            if (name != null && (accepts == null || (table != null && accepts.test(table)))) {
                counters.put(name, value);
            }
        });
        return counters;
    }

    /** An element of a counting set: its key and what it counted. */
    public record SetElement(byte[] key, long packets, long bytes) {
    }

    /** The elements of counting set {@code set} of {@code table} with their counters. */
    public synchronized List<SetElement> elements(String table, String set) {
        NetlinkMessages m = new NetlinkMessages();
        int start = m.begin((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETSETELEM, NLM_F_REQUEST | NLM_F_DUMP,
                sequence.incrementAndGet(), NFPROTO_NETDEV, 0);
        m.string(NFTA_SET_ELEM_LIST_TABLE, table);
        m.string(NFTA_SET_ELEM_LIST_SET, set);
        m.end(start);
        List<SetElement> elements = new ArrayList<>();
        dump(m, "list the elements of " + table + " " + set, (offset, length) -> {
            for (Attributes a = new Attributes(offset + 20, offset + length); a.next(); ) {
                if (a.type == NFTA_SET_ELEM_LIST_ELEMENTS) {
                    for (Attributes e = a.nested(); e.next(); ) {
                        elements.add(parseElement(e.payload, e.length));
                    }
                }
            }
        });
        return elements;
    }

    private SetElement parseElement(long at, int length) {
        byte[] key = null;
        long[] counts = new long[2];
        for (Attributes a = new Attributes(at, at + length); a.next(); ) {
            if (a.type == NFTA_SET_ELEM_KEY) {
                // The key's one nested attribute (NFTA_DATA_VALUE) holds the bytes.
                int vlen = in.get(ValueLayout.JAVA_SHORT_UNALIGNED, a.payload) & 0xffff;
                key = in.asSlice(a.payload + 4, vlen - 4).toArray(ValueLayout.JAVA_BYTE);
            } else if (a.type == NFTA_SET_ELEM_EXPR) {
                counter(a.payload, a.length, counts);
            } else if (a.type == NFTA_SET_ELEM_EXPRESSIONS) {
                for (Attributes e = a.nested(); e.next(); ) {
                    counter(e.payload, e.length, counts);
                }
            }
        }
        return new SetElement(key, counts[0], counts[1]);
    }

    /** Reads a counter expression's packets and bytes into {@code counts}; other expressions leave it. */
    private void counter(long at, int length, long[] counts) {
        String name = null;
        for (Attributes a = new Attributes(at, at + length); a.next(); ) {
            if (a.type == NFTA_EXPR_NAME) {
                name = string(a.payload, a.length);
            } else if (a.type == NFTA_EXPR_DATA && "counter".equals(name)) {
                counterData(a.payload, a.length, counts);
            }
        }
    }

    /** Reads a counter's packets and bytes attributes, the {@code length} bytes at {@code at}, into {@code counts}. */
    private void counterData(long at, int length, long[] counts) {
        for (Attributes d = new Attributes(at, at + length); d.next(); ) {
            if (d.type == NFTA_COUNTER_PACKETS) {
                counts[0] = be64(d.payload);
            } else if (d.type == NFTA_COUNTER_BYTES) {
                counts[1] = be64(d.payload);
            }
        }
    }

    private KernelRule parseRule(long offset, int length) {
        String table = null;
        String chain = null;
        long handle = -1;
        String comment = null;
        for (Attributes a = new Attributes(offset + 20, offset + length); a.next(); ) {
            switch (a.type) {
                case NFTA_RULE_TABLE -> table = string(a.payload, a.length);
                case NFTA_RULE_CHAIN -> chain = string(a.payload, a.length);
                case NFTA_RULE_HANDLE -> handle = be64(a.payload);
                case NFTA_RULE_USERDATA -> comment = comment(a.payload, a.length);
                default -> { }
            }
        }
        return new KernelRule(table, chain, handle, comment);
    }

    /**
     * A walk over the netlink attributes in {@link #in} between two offsets: {@link #next} moves to the next one
     * (false at the end, or at a length too short to be an attribute), after which {@link #type} (its flags
     * cleared), {@link #payload} and {@link #length} (the payload's) describe it.
     */
    private final class Attributes {
        private long at;
        private final long end;
        int type;
        long payload;
        int length;

        Attributes(long from, long to) {
            at = from;
            end = to;
        }

        boolean next() {
            if (at + 4 > end) {
                return false;
            }
            int total = in.get(ValueLayout.JAVA_SHORT_UNALIGNED, at) & 0xffff;
            if (total < 4) {
                return false;
            }
            type = in.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 2) & 0x7fff;
            payload = at + 4;
            length = total - 4;
            at += NetlinkMessages.align(total);
            return true;
        }

        /** The attributes nested in the current one's payload. */
        Attributes nested() {
            return new Attributes(payload, payload + length);
        }
    }

    private String comment(long at, int length) {
        for (long p = at; p + 2 <= at + length; ) {
            int type = in.get(ValueLayout.JAVA_BYTE, p) & 0xff;
            int len = in.get(ValueLayout.JAVA_BYTE, p + 1) & 0xff;
            if (type == UDATA_RULE_COMMENT) {
                return string(p + 2, len);
            }
            p += 2 + len;
        }
        return null;
    }

    private String string(long at, int length) {
        byte[] b = in.asSlice(at, length).toArray(ValueLayout.JAVA_BYTE);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    private long be64(long at) {
        return ByteBuffer.wrap(in.asSlice(at, 8).toArray(ValueLayout.JAVA_BYTE)).getLong();
    }

    /** Sends {@code bytes} from a native buffer kept for the socket (callers hold this object's lock). */
    private void send(byte[] bytes) {
        if (out == null || out.byteSize() < bytes.length) {
            out = arena.allocate(Math.max(2L * bytes.length, 64 << 10));
        }
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, out, 0, bytes.length);
        long sent = Libc.send(fd, out, bytes.length);
        if (sent != bytes.length) {
            throw new IllegalStateException("netlink took " + sent + " of " + bytes.length + " bytes");
        }
    }

    private interface ObjectHandler {
        void handle(long offset, int length);
    }

    /** Sends dump request {@code m} and hands every object of the answer to {@code onObject}. */
    private void dump(NetlinkMessages m, String what, ObjectHandler onObject) {
        send(m.toArray());
        List<String> errors = new ArrayList<>();
        drain(true, (type, offset, length) -> {
            if (type == NLMSG_DONE) {
                return false;
            }
            if (type == NLMSG_ERROR) {
                int error = in.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 16);
                if (error != 0) {
                    errors.add(NativeCalls.strerror(-error));
                }
                return false;
            }
            onObject.handle(offset, length);
            return true;
        });
        if (!errors.isEmpty()) {
            throw new IllegalStateException("cannot " + what + ": " + errors.getFirst());
        }
    }

    private interface MessageHandler {
        /** Handles one message; false ends the reading (a dump's end). */
        boolean handle(int type, long offset, int length);
    }

    /**
     * Reads answers: until the handler says stop ({@code untilDone}, for dumps) or until none is queued.
     * Returns false when the kernel dropped some for lack of room.
     */
    private boolean drain(boolean untilDone, MessageHandler handler) {
        boolean complete = true;
        while (true) {
            long n;
            try {
                n = (long) RECV.invokeExact(NativeCalls.callState(), fd, in, in.byteSize(),
                        untilDone ? 0 : MSG_DONTWAIT);
            } catch (Throwable t) {
                throw NativeCalls.rethrow(t);
            }
            if (n < 0) {
                int errno = NativeCalls.errno();
                if (errno == EAGAIN && !untilDone) {
                    return complete;
                }
                if (errno == ENOBUFS) {
                    complete = false;
                    continue;
                }
                throw new IllegalStateException("netlink receive failed: " + NativeCalls.strerror(errno));
            }
            for (long offset = 0; offset + 16 <= n; ) {
                int length = in.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
                int type = in.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset + 4) & 0xffff;
                if (length < 16) {
                    break;
                }
                if (!handler.handle(type, offset, length) && untilDone) {
                    return complete;
                }
                offset += NetlinkMessages.align(length);
            }
        }
    }

    @Override
    public void close() {
        NativeCalls.close(fd);
        arena.close();
    }
}
