package io.jsd.export.vhost.internal;

/** virtio-blk constants (virtio 1.2, 5.2). */
final class VirtioBlk {
    private VirtioBlk() {}

    static final int F_SIZE_MAX = 1, F_SEG_MAX = 2, F_RO = 5, F_BLK_SIZE = 6, F_FLUSH = 9, F_TOPOLOGY = 10,
            F_CONFIG_WCE = 11, F_MQ = 12, F_DISCARD = 13, F_WRITE_ZEROES = 14;
    static final int F_RING_INDIRECT_DESC = 28, F_RING_EVENT_IDX = 29, F_VERSION_1 = 32;

    static final int T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_DISCARD = 11, T_WRITE_ZEROES = 13;
    static final byte S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;
    static final int WRITE_ZEROES_FLAG_UNMAP = 1;

    static final int SECTOR_SHIFT = 9;
    /** Discard and write-zeroes limits QSD advertises: 16 MiB. */
    static final int MAX_DISCARD_SECTORS = 32768, MAX_WRITE_ZEROES_SECTORS = 32768;
    static final int SEG_MAX = 128 - 2;
    static final int ID_BYTES = 20;
    static final String SERIAL = "vhost_user_blk";

    /** Config space offsets (struct virtio_blk_config). */
    static final int CFG_CAPACITY = 0, CFG_SIZE_MAX = 8, CFG_SEG_MAX = 12, CFG_BLK_SIZE = 20, CFG_PHYS_BLOCK_EXP = 24,
            CFG_MIN_IO_SIZE = 26, CFG_OPT_IO_SIZE = 28, CFG_WRITEBACK = 32, CFG_NUM_QUEUES = 34,
            CFG_MAX_DISCARD_SECTORS = 36, CFG_MAX_DISCARD_SEG = 40, CFG_DISCARD_ALIGN = 44,
            CFG_MAX_WRITE_ZEROES_SECTORS = 48, CFG_MAX_WRITE_ZEROES_SEG = 52, CFG_WRITE_ZEROES_MAY_UNMAP = 56,
            CFG_SIZE = 96;
}
