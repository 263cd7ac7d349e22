package io.jsd.nbd.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.jsd.block.BlockException;

/**
 * Fixed newstyle option haggling, as QSD does it: greets, answers options until NBD_OPT_GO or
 * NBD_OPT_EXPORT_NAME picks an export, and returns the resulting {@link Session} (null when the
 * client aborted or went away quietly). Malformed options get the NBD_REP_ERR_* the spec names;
 * only violations that leave the stream out of step end the connection.
 */
final class Handshake {
    private final Connection conn;
    private final NbdServer server;
    private final InBuffer in;
    private Wire wire;

    private boolean fixedNewstyle;
    private boolean noZeroes;
    private int mode = Session.MODE_SIMPLE;
    /** Contexts chosen by the last NBD_OPT_SET_META_CONTEXT, and the export they were chosen for. */
    private NbdExport metaExport;
    private boolean metaBase;
    private boolean metaDepth;

    /** Input buffer while negotiating: options are read through it piecewise, never whole. */
    static final int HANDSHAKE_BUFFER = 4096;

    Handshake(Connection conn, Wire wire) {
        this.conn = conn;
        this.server = conn.server();
        this.wire = wire;
        this.in = new InBuffer(wire, HANDSHAKE_BUFFER);
    }

    /** The buffered input, handed on to the transmission phase (it may hold the first requests). */
    InBuffer input() { return in; }

    Session run() throws IOException {
        ByteBuffer greet = ByteBuffer.allocate(18);
        greet.putLong(Nbd.NBDMAGIC).putLong(Nbd.IHAVEOPT).putShort((short) (Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES));
        greet.flip();
        try {
            wire.write(greet);
        } catch (IOException e) {
            return null; // a port probe: not worth a message
        }
        if (!in.fill(4)) return null;
        int clientFlags = in.u32();
        fixedNewstyle = (clientFlags & Nbd.FLAG_C_FIXED_NEWSTYLE) != 0;
        noZeroes = (clientFlags & Nbd.FLAG_C_NO_ZEROES) != 0;
        if ((clientFlags & ~(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES)) != 0) {
            throw new ProtocolException(String.format("Unknown client flags 0x%x received", clientFlags));
        }
        TlsConfig tls = server.config().tls();
        while (true) {
            long magic = in.u64();
            if (magic != Nbd.IHAVEOPT) throw new ProtocolException("Bad magic received");
            int opt = in.u32();
            long len = in.u32() & 0xffffffffL;
            if (len > Nbd.MAX_BUFFER) {
                throw new ProtocolException("len (" + len + ") is larger than max len (" + Nbd.MAX_BUFFER + ")");
            }
            if (tls != null && !wire.secure()) {
                if (!fixedNewstyle) throw new ProtocolException(String.format("Unsupported option 0x%x", opt));
                switch (opt) {
                    case Nbd.OPT_STARTTLS -> {
                        if (len != 0) throw new ProtocolException("STARTTLS with a payload");
                        if (in.buffered() != 0) throw new ProtocolException("data sent before the TLS handshake");
                        reply(opt, Nbd.REP_ACK, null);
                        wire = tls.wrap(conn.socket(), wire);
                        conn.wire(wire);
                        in.wire(wire);
                    }
                    case Nbd.OPT_EXPORT_NAME ->
                        throw new ProtocolException(String.format("Option 0x%x not permitted before TLS", opt));
                    default -> {
                        in.skip(len);
                        replyError(opt, Nbd.REP_ERR_TLS_REQD, String.format("Option 0x%x not permitted before TLS", opt));
                        if (opt == Nbd.OPT_ABORT) return null;
                    }
                }
                continue;
            }
            if (!fixedNewstyle) {
                if (opt != Nbd.OPT_EXPORT_NAME) {
                    throw new ProtocolException("Unsupported option " + opt + " (" + Nbd.optName(opt) + ")");
                }
                return exportName(len);
            }
            switch (opt) {
                case Nbd.OPT_LIST -> {
                    if (len != 0) rejectLength(opt, len);
                    else list();
                }
                case Nbd.OPT_ABORT -> {
                    in.skip(len);
                    try {
                        reply(opt, Nbd.REP_ACK, null);
                    } catch (IOException ignored) {
                        // the client may hang up without waiting for the reply
                    }
                    return null;
                }
                case Nbd.OPT_EXPORT_NAME -> {
                    if (mode >= Session.MODE_EXTENDED) {
                        throw new ProtocolException("NBD_OPT_EXPORT_NAME used after extended headers");
                    }
                    return exportName(len);
                }
                case Nbd.OPT_INFO, Nbd.OPT_GO -> {
                    Session s = info(opt, len);
                    if (s != null) return s;
                }
                case Nbd.OPT_STARTTLS -> {
                    if (len != 0) rejectLength(opt, len);
                    else if (wire.secure()) replyError(opt, Nbd.REP_ERR_INVALID, "TLS already enabled");
                    else replyError(opt, Nbd.REP_ERR_POLICY, "TLS not configured");
                }
                case Nbd.OPT_STRUCTURED_REPLY -> {
                    if (len != 0) {
                        rejectLength(opt, len);
                    } else if (mode >= Session.MODE_EXTENDED) {
                        replyError(opt, Nbd.REP_ERR_EXT_HEADER_REQD, "extended headers already negotiated");
                    } else if (mode >= Session.MODE_STRUCTURED) {
                        replyError(opt, Nbd.REP_ERR_INVALID, "structured reply already negotiated");
                    } else {
                        reply(opt, Nbd.REP_ACK, null);
                        mode = Session.MODE_STRUCTURED;
                    }
                }
                case Nbd.OPT_EXTENDED_HEADERS -> {
                    if (len != 0) {
                        rejectLength(opt, len);
                    } else if (mode >= Session.MODE_EXTENDED) {
                        replyError(opt, Nbd.REP_ERR_INVALID, "extended headers already negotiated");
                    } else {
                        reply(opt, Nbd.REP_ACK, null);
                        mode = Session.MODE_EXTENDED;
                    }
                }
                case Nbd.OPT_LIST_META_CONTEXT, Nbd.OPT_SET_META_CONTEXT -> metaContext(opt, len);
                default -> {
                    in.skip(len);
                    replyError(opt, Nbd.REP_ERR_UNSUP, "Unsupported option " + opt + " (" + Nbd.optName(opt) + ")");
                }
            }
        }
    }

    private void rejectLength(int opt, long len) throws IOException {
        in.skip(len);
        replyError(opt, Nbd.REP_ERR_INVALID, "option '" + Nbd.optName(opt) + "' has unexpected length");
    }

    // ---- NBD_OPT_EXPORT_NAME

    private Session exportName(long len) throws IOException {
        if (len > Nbd.MAX_STRING) throw new ProtocolException("Bad length received");
        String name = new String(in.bytes((int) len), StandardCharsets.UTF_8);
        NbdExport exp = server.export(name);
        if (exp == null || !conn.attach(exp)) throw new ProtocolException("export not found");
        int flags = exp.flags | (mode >= Session.MODE_STRUCTURED ? Nbd.FLAG_SEND_DF : 0);
        ByteBuffer b = ByteBuffer.allocate(noZeroes ? 10 : 134);
        b.putLong(exp.size()).putShort((short) flags);
        b.position(b.limit()).flip();
        wire.write(b);
        boolean same = metaExport == exp;
        return new Session(exp, mode, same && metaBase, same && metaDepth, flags);
    }

    // ---- NBD_OPT_LIST

    private void list() throws IOException {
        for (NbdExport e : server.exports()) {
            byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
            byte[] desc = e.description == null ? new byte[0] : e.description.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(4 + name.length + desc.length);
            b.putInt(name.length).put(name).put(desc).flip();
            reply(Nbd.OPT_LIST, Nbd.REP_SERVER, b);
        }
        reply(Nbd.OPT_LIST, Nbd.REP_ACK, null);
    }

    // ---- option payloads, read piecewise as qemu does (never allocated whole)

    /** Unread bytes of the current option's payload. */
    private long optlen;

    /** Consumes {@code n} bytes of the payload's budget; false (nothing consumed) when it holds fewer. */
    private boolean take(long n) {
        if (n > optlen) return false;
        optlen -= n;
        return true;
    }

    /** Drops the rest of the option and answers {@code type} (qemu's nbd_opt_drop). */
    private void drop(int opt, int type, String message) throws IOException {
        in.skip(optlen);
        optlen = 0;
        replyError(opt, type, message);
    }

    private void inconsistent(int opt) throws IOException {
        drop(opt, Nbd.REP_ERR_INVALID, "Inconsistent lengths in option " + Nbd.optName(opt));
    }

    /**
     * A length-prefixed name of at most 4096 bytes without NULs (qemu's nbd_opt_read_name), or
     * null after the error reply.
     */
    private String readName(int opt) throws IOException {
        if (!take(4)) {
            inconsistent(opt);
            return null;
        }
        long nameLen = in.u32() & 0xffffffffL;
        if (nameLen > Nbd.MAX_STRING) {
            drop(opt, Nbd.REP_ERR_INVALID, "Invalid name length: " + nameLen);
            return null;
        }
        if (!take(nameLen)) {
            inconsistent(opt);
            return null;
        }
        byte[] nb = in.bytes((int) nameLen);
        for (byte b : nb) {
            if (b == 0) {
                drop(opt, Nbd.REP_ERR_INVALID, "Unexpected embedded NUL in option " + Nbd.optName(opt));
                return null;
            }
        }
        return new String(nb, StandardCharsets.UTF_8);
    }

    // ---- NBD_OPT_INFO / NBD_OPT_GO

    private Session info(int opt, long len) throws IOException {
        optlen = len;
        String name = readName(opt);
        if (name == null) return null;
        if (!take(2)) {
            inconsistent(opt);
            return null;
        }
        int n = in.u16();
        boolean sendName = false;
        boolean blockSize = false;
        for (int i = 0; i < n; i++) {
            if (!take(2)) {
                inconsistent(opt);
                return null;
            }
            int request = in.u16();
            sendName |= request == Nbd.INFO_NAME;
            blockSize |= request == Nbd.INFO_BLOCK_SIZE;
        }
        if (optlen != 0) {
            drop(opt, Nbd.REP_ERR_INVALID, "option '" + Nbd.optName(opt) + "' has unexpected length");
            return null;
        }
        NbdExport exp = server.export(name);
        if (exp == null) {
            replyError(opt, Nbd.REP_ERR_UNKNOWN, "export '" + sanitize(name) + "' not present");
            return null;
        }
        if (sendName) {
            byte[] nb = exp.name.getBytes(StandardCharsets.UTF_8);
            sendInfo(opt, Nbd.INFO_NAME, ByteBuffer.wrap(nb));
        }
        if (exp.description != null) {
            sendInfo(opt, Nbd.INFO_DESCRIPTION, ByteBuffer.wrap(exp.description.getBytes(StandardCharsets.UTF_8)));
        }
        int align = exp.node.io().limits().requestAlignment();
        int min = (opt == Nbd.OPT_INFO || blockSize) ? align : 1;
        int max = Math.min(exp.io.limits().maxTransfer(), Nbd.MAX_BUFFER);
        ByteBuffer sizes = ByteBuffer.allocate(12).putInt(min).putInt(Math.max(4096, min)).putInt(max);
        sendInfo(opt, Nbd.INFO_BLOCK_SIZE, sizes.flip());
        int flags = exp.flags | (mode >= Session.MODE_STRUCTURED ? Nbd.FLAG_SEND_DF : 0);
        long size;
        try {
            size = exp.size();
        } catch (BlockException e) {
            replyError(opt, Nbd.REP_ERR_UNKNOWN, "export '" + sanitize(name) + "' is not available: " + e.getMessage());
            return null;
        }
        sendInfo(opt, Nbd.INFO_EXPORT, ByteBuffer.allocate(10).putLong(size).putShort((short) flags).flip());
        if (opt == Nbd.OPT_INFO && !blockSize && align > 1) {
            replyError(opt, Nbd.REP_ERR_BLOCK_SIZE_REQD, "request NBD_INFO_BLOCK_SIZE to use this export");
            return null;
        }
        if (opt == Nbd.OPT_GO && !conn.attach(exp)) {
            // deleted meanwhile
            replyError(opt, Nbd.REP_ERR_UNKNOWN, "export '" + sanitize(name) + "' not present");
            return null;
        }
        reply(opt, Nbd.REP_ACK, null);
        if (opt != Nbd.OPT_GO) return null;
        boolean same = metaExport == exp;
        return new Session(exp, mode, same && metaBase, same && metaDepth, flags);
    }

    private void sendInfo(int opt, int type, ByteBuffer data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(2 + data.remaining());
        b.putShort((short) type).put(data).flip();
        reply(opt, Nbd.REP_INFO, b);
    }

    // ---- NBD_OPT_LIST_META_CONTEXT / NBD_OPT_SET_META_CONTEXT

    private void metaContext(int opt, long len) throws IOException {
        optlen = len;
        boolean set = opt == Nbd.OPT_SET_META_CONTEXT;
        if (set && mode < Session.MODE_STRUCTURED) {
            drop(opt, Nbd.REP_ERR_INVALID,
                    "request option '" + Nbd.optName(opt) + "' when structured reply is not negotiated");
            return;
        }
        if (set) {
            // A SET replaces the previous selection, even when it fails.
            metaExport = null;
            metaBase = false;
            metaDepth = false;
        }
        String name = readName(opt);
        if (name == null) return;
        NbdExport exp = server.export(name);
        if (exp == null) {
            drop(opt, Nbd.REP_ERR_UNKNOWN, "export '" + sanitize(name) + "' not present");
            return;
        }
        if (!take(4)) {
            inconsistent(opt);
            return;
        }
        long queries = in.u32() & 0xffffffffL;
        boolean base = false;
        boolean depth = false;
        if (queries == 0 && !set) {
            base = true;
            depth = exp.allocationDepth;
        }
        for (long i = 0; i < queries; i++) {
            if (!take(4)) {
                inconsistent(opt);
                return;
            }
            long ql = in.u32() & 0xffffffffL;
            if (!take(ql)) {
                inconsistent(opt);
                return;
            }
            if (ql > Nbd.MAX_STRING) { // qemu skips overlong queries
                in.skip(ql);
                continue;
            }
            byte[] qb = in.bytes((int) ql);
            for (byte b : qb) {
                if (b == 0) {
                    drop(opt, Nbd.REP_ERR_INVALID, "Unexpected embedded NUL in option " + Nbd.optName(opt));
                    return;
                }
            }
            String q = new String(qb, StandardCharsets.UTF_8);
            if (q.startsWith("base:")) {
                String rest = q.substring(5);
                if (rest.equals("allocation") || (rest.isEmpty() && !set)) base = true;
            } else if (q.startsWith("qemu:")) {
                String rest = q.substring(5);
                if ((rest.isEmpty() && !set) || rest.equals("allocation-depth")) depth |= exp.allocationDepth;
                // qemu:dirty-bitmap:* arrives with bitmap support
            }
        }
        if (optlen != 0) {
            drop(opt, Nbd.REP_ERR_INVALID, "option '" + Nbd.optName(opt) + "' has unexpected length");
            return;
        }
        if (base) sendContext(opt, Nbd.CTX_BASE_ALLOCATION, Nbd.CTX_ID_BASE_ALLOCATION);
        if (depth) sendContext(opt, Nbd.CTX_ALLOCATION_DEPTH, Nbd.CTX_ID_ALLOCATION_DEPTH);
        reply(opt, Nbd.REP_ACK, null);
        if (set) {
            metaExport = exp;
            metaBase = base;
            metaDepth = depth;
        }
    }

    private void sendContext(int opt, String name, int id) throws IOException {
        byte[] nb = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + nb.length);
        b.putInt(opt == Nbd.OPT_LIST_META_CONTEXT ? 0 : id).put(nb).flip();
        reply(opt, Nbd.REP_META_CONTEXT, b);
    }

    // ---- replies

    private void reply(int opt, int type, ByteBuffer data) throws IOException {
        int len = data == null ? 0 : data.remaining();
        ByteBuffer h = ByteBuffer.allocate(20 + len);
        h.putLong(Nbd.REPLY_MAGIC).putInt(opt).putInt(type).putInt(len);
        if (data != null) h.put(data);
        h.flip();
        wire.write(h);
    }

    private void replyError(int opt, int type, String message) throws IOException {
        reply(opt, type, ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
    }

    /** Keeps a client-chosen name printable in messages. */
    static String sanitize(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (s.length() > 80) b.append("...");
        return b.toString();
    }
}
