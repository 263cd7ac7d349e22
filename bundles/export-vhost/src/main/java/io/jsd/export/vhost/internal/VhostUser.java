package io.jsd.export.vhost.internal;

/** vhost-user protocol constants (qemu docs/interop/vhost-user.rst). */
final class VhostUser {
    private VhostUser() {}

    static final int HEADER_SIZE = 12;
    /** Largest payload accepted; the biggest legitimate one is GET/SET_CONFIG (12 + 256). */
    static final int MAX_PAYLOAD = 4096;
    static final int VERSION = 1, VERSION_MASK = 3, FLAG_REPLY = 1 << 2, FLAG_NEED_REPLY = 1 << 3;
    static final int MAX_FDS = 8;

    static final int GET_FEATURES = 1, SET_FEATURES = 2, SET_OWNER = 3, RESET_OWNER = 4, SET_MEM_TABLE = 5,
            SET_LOG_BASE = 6, SET_LOG_FD = 7, SET_VRING_NUM = 8, SET_VRING_ADDR = 9, SET_VRING_BASE = 10,
            GET_VRING_BASE = 11, SET_VRING_KICK = 12, SET_VRING_CALL = 13, SET_VRING_ERR = 14,
            GET_PROTOCOL_FEATURES = 15, SET_PROTOCOL_FEATURES = 16, GET_QUEUE_NUM = 17, SET_VRING_ENABLE = 18,
            SEND_RARP = 19, NET_SET_MTU = 20, SET_BACKEND_REQ_FD = 21, IOTLB_MSG = 22, SET_VRING_ENDIAN = 23,
            GET_CONFIG = 24, SET_CONFIG = 25, POSTCOPY_ADVISE = 28, POSTCOPY_LISTEN = 29, POSTCOPY_END = 30,
            GET_INFLIGHT_FD = 31, SET_INFLIGHT_FD = 32, RESET_DEVICE = 34, GET_MAX_MEM_SLOTS = 36,
            ADD_MEM_REG = 37, REM_MEM_REG = 38;

    /** VHOST_USER_F_PROTOCOL_FEATURES, a virtio feature bit that only vhost-user uses. */
    static final int F_PROTOCOL_FEATURES = 30;

    static final int PF_MQ = 0, PF_REPLY_ACK = 3, PF_CONFIG = 9, PF_INFLIGHT_SHMFD = 12, PF_RESET_DEVICE = 13,
            PF_CONFIGURE_MEM_SLOTS = 15;

    static final long PROTOCOL_FEATURES = 1L << PF_MQ | 1L << PF_REPLY_ACK | 1L << PF_CONFIG
            | 1L << PF_INFLIGHT_SHMFD | 1L << PF_RESET_DEVICE | 1L << PF_CONFIGURE_MEM_SLOTS;

    /** SET_MEM_TABLE carries at most this many regions. */
    static final int MAX_TABLE_REGIONS = 8;
    /** What GET_MAX_MEM_SLOTS answers (libvhost-user's VHOST_USER_MAX_RAM_SLOTS). */
    static final int MAX_MEM_SLOTS = 509;
    static final int MAX_CONFIG_SIZE = 256;
    /** vring index in the u64 of SET_VRING_KICK/CALL/ERR; the flag says "no fd". */
    static final long VRING_IDX_MASK = 0xff, VRING_NOFD_MASK = 1 << 8;

    static String name(int request) {
        return switch (request) {
            case GET_FEATURES -> "GET_FEATURES";
            case SET_FEATURES -> "SET_FEATURES";
            case SET_OWNER -> "SET_OWNER";
            case RESET_OWNER -> "RESET_OWNER";
            case SET_MEM_TABLE -> "SET_MEM_TABLE";
            case SET_VRING_NUM -> "SET_VRING_NUM";
            case SET_VRING_ADDR -> "SET_VRING_ADDR";
            case SET_VRING_BASE -> "SET_VRING_BASE";
            case GET_VRING_BASE -> "GET_VRING_BASE";
            case SET_VRING_KICK -> "SET_VRING_KICK";
            case SET_VRING_CALL -> "SET_VRING_CALL";
            case SET_VRING_ERR -> "SET_VRING_ERR";
            case GET_PROTOCOL_FEATURES -> "GET_PROTOCOL_FEATURES";
            case SET_PROTOCOL_FEATURES -> "SET_PROTOCOL_FEATURES";
            case GET_QUEUE_NUM -> "GET_QUEUE_NUM";
            case SET_VRING_ENABLE -> "SET_VRING_ENABLE";
            case GET_CONFIG -> "GET_CONFIG";
            case SET_CONFIG -> "SET_CONFIG";
            case GET_INFLIGHT_FD -> "GET_INFLIGHT_FD";
            case SET_INFLIGHT_FD -> "SET_INFLIGHT_FD";
            case GET_MAX_MEM_SLOTS -> "GET_MAX_MEM_SLOTS";
            case ADD_MEM_REG -> "ADD_MEM_REG";
            case REM_MEM_REG -> "REM_MEM_REG";
            default -> "request " + request;
        };
    }
}
