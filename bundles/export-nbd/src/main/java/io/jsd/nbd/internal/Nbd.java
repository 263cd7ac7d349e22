package io.jsd.nbd.internal;

/**
 * Wire constants of the NBD protocol (NetworkBlockDevice/nbd doc/proto.md, with qemu's extensions
 * from docs/interop/nbd.rst). Every number on the wire is big-endian.
 */
final class Nbd {
    private Nbd() {}

    // Handshake
    static final long NBDMAGIC = 0x4e42444d41474943L;
    static final long IHAVEOPT = 0x49484156454F5054L;
    static final long REPLY_MAGIC = 0x3e889045565a9L;

    static final int FLAG_FIXED_NEWSTYLE = 1;
    static final int FLAG_NO_ZEROES = 2;
    static final int FLAG_C_FIXED_NEWSTYLE = 1;
    static final int FLAG_C_NO_ZEROES = 2;

    static final int OPT_EXPORT_NAME = 1;
    static final int OPT_ABORT = 2;
    static final int OPT_LIST = 3;
    static final int OPT_STARTTLS = 5;
    static final int OPT_INFO = 6;
    static final int OPT_GO = 7;
    static final int OPT_STRUCTURED_REPLY = 8;
    static final int OPT_LIST_META_CONTEXT = 9;
    static final int OPT_SET_META_CONTEXT = 10;
    static final int OPT_EXTENDED_HEADERS = 11;

    static final int REP_ACK = 1;
    static final int REP_SERVER = 2;
    static final int REP_INFO = 3;
    static final int REP_META_CONTEXT = 4;
    static final int REP_ERR_UNSUP = 0x80000001;
    static final int REP_ERR_POLICY = 0x80000002;
    static final int REP_ERR_INVALID = 0x80000003;
    static final int REP_ERR_PLATFORM = 0x80000004;
    static final int REP_ERR_TLS_REQD = 0x80000005;
    static final int REP_ERR_UNKNOWN = 0x80000006;
    static final int REP_ERR_SHUTDOWN = 0x80000007;
    static final int REP_ERR_BLOCK_SIZE_REQD = 0x80000008;
    static final int REP_ERR_TOO_BIG = 0x80000009;
    static final int REP_ERR_EXT_HEADER_REQD = 0x8000000a;

    static final int INFO_EXPORT = 0;
    static final int INFO_NAME = 1;
    static final int INFO_DESCRIPTION = 2;
    static final int INFO_BLOCK_SIZE = 3;

    // Transmission flags
    static final int FLAG_HAS_FLAGS = 1;
    static final int FLAG_READ_ONLY = 1 << 1;
    static final int FLAG_SEND_FLUSH = 1 << 2;
    static final int FLAG_SEND_FUA = 1 << 3;
    static final int FLAG_ROTATIONAL = 1 << 4;
    static final int FLAG_SEND_TRIM = 1 << 5;
    static final int FLAG_SEND_WRITE_ZEROES = 1 << 6;
    static final int FLAG_SEND_DF = 1 << 7;
    static final int FLAG_CAN_MULTI_CONN = 1 << 8;
    static final int FLAG_SEND_RESIZE = 1 << 9;
    static final int FLAG_SEND_CACHE = 1 << 10;
    static final int FLAG_SEND_FAST_ZERO = 1 << 11;
    static final int FLAG_BLOCK_STAT_PAYLOAD = 1 << 12;

    // Requests
    static final int REQUEST_MAGIC = 0x25609513;
    static final int EXTENDED_REQUEST_MAGIC = 0x21e41c71;
    static final int REQUEST_SIZE = 28;
    static final int EXTENDED_REQUEST_SIZE = 32;

    static final int CMD_FLAG_FUA = 1;
    static final int CMD_FLAG_NO_HOLE = 1 << 1;
    static final int CMD_FLAG_DF = 1 << 2;
    static final int CMD_FLAG_REQ_ONE = 1 << 3;
    static final int CMD_FLAG_FAST_ZERO = 1 << 4;
    static final int CMD_FLAG_PAYLOAD_LEN = 1 << 5;

    static final int CMD_READ = 0;
    static final int CMD_WRITE = 1;
    static final int CMD_DISC = 2;
    static final int CMD_FLUSH = 3;
    static final int CMD_TRIM = 4;
    static final int CMD_CACHE = 5;
    static final int CMD_WRITE_ZEROES = 6;
    static final int CMD_BLOCK_STATUS = 7;

    // Replies
    static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;
    static final int EXTENDED_REPLY_MAGIC = 0x6e8a278c;
    static final int REPLY_FLAG_DONE = 1;

    static final int REPLY_TYPE_NONE = 0;
    static final int REPLY_TYPE_OFFSET_DATA = 1;
    static final int REPLY_TYPE_OFFSET_HOLE = 2;
    static final int REPLY_TYPE_BLOCK_STATUS = 5;
    static final int REPLY_TYPE_BLOCK_STATUS_EXT = 6;
    static final int REPLY_TYPE_ERROR = (1 << 15) | 1;
    static final int REPLY_TYPE_ERROR_OFFSET = (1 << 15) | 2;

    // base:allocation flags
    static final int STATE_HOLE = 1;
    static final int STATE_ZERO = 2;

    // Errors (errno values the protocol allows)
    static final int EPERM = 1;
    static final int EIO = 5;
    static final int ENOMEM = 12;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int EOVERFLOW = 75;
    static final int ENOTSUP = 95;
    static final int ESHUTDOWN = 108;

    /** Largest READ/WRITE payload and option length (qemu's NBD_MAX_BUFFER_SIZE). */
    static final int MAX_BUFFER = 32 << 20;
    /** Longest string (export name, description, context) the protocol allows. */
    static final int MAX_STRING = 4096;

    static final String CTX_BASE_ALLOCATION = "base:allocation";
    static final String CTX_ALLOCATION_DEPTH = "qemu:allocation-depth";
    /** qemu's fixed context ids: base:allocation 0, qemu:allocation-depth 1, bitmaps from 2. */
    static final int CTX_ID_BASE_ALLOCATION = 0;
    static final int CTX_ID_ALLOCATION_DEPTH = 1;

    static String optName(int opt) {
        return switch (opt) {
            case OPT_EXPORT_NAME -> "export name";
            case OPT_ABORT -> "abort";
            case OPT_LIST -> "list";
            case OPT_STARTTLS -> "starttls";
            case OPT_INFO -> "info";
            case OPT_GO -> "go";
            case OPT_STRUCTURED_REPLY -> "structured reply";
            case OPT_LIST_META_CONTEXT -> "list meta context";
            case OPT_SET_META_CONTEXT -> "set meta context";
            case OPT_EXTENDED_HEADERS -> "extended headers";
            default -> "<unknown>";
        };
    }

    static String cmdName(int cmd) {
        return switch (cmd) {
            case CMD_READ -> "read";
            case CMD_WRITE -> "write";
            case CMD_DISC -> "disconnect";
            case CMD_FLUSH -> "flush";
            case CMD_TRIM -> "trim";
            case CMD_CACHE -> "cache";
            case CMD_WRITE_ZEROES -> "write zeroes";
            case CMD_BLOCK_STATUS -> "block status";
            default -> "<unknown>";
        };
    }
}
