package io.nightjar.sensor.capture;

/**
 * Layout constants of the capture file formats read by {@link CaptureFiles}, and the sanity bounds
 * libpcap applies to them. Offsets are in bytes from the start of the header, record or block; every
 * multi-byte field is in the byte order of the file (pcap: given by the magic; pcapng: given by the
 * byte-order magic of the current section).
 *
 * <pre>
 * pcap file header (24 bytes)                  pcap record header (16 bytes; 24 for magic a1b2cd34)
 *  0 +-----------------------------+            0 +-----------------------------+
 *    | magic a1b2c3d4 (us) a1b23c4d (ns)        |   | timestamp seconds (u32)     |
 *  4 +--------------+--------------+            4 +-----------------------------+
 *    | major (u16)  | minor (u16)  |              | fraction: us or ns (u32)    |
 *  8 +--------------+--------------+            8 +-----------------------------+
 *    | thiszone (ignored)          |              | captured length (u32)       |
 * 12 +-----------------------------+           12 +-----------------------------+
 *    | sigfigs (ignored)           |              | original length (u32)       |
 * 16 +-----------------------------+           16 +-----------------------------+
 *    | snapshot length (u32)       |              | packet bytes, padding-free  |
 * 20 +-----------------------------+
 *    | FCS:4 | F:1 | res:5+5 | LINKTYPE:16 |
 *    +-----------------------------+
 *
 * pcapng block: type (u32) | total length (u32) | body ... | total length (u32), length a multiple of 4
 *  SHB  0a0d0d0a: byte-order magic 1a2b3c4d | major | minor | section length (u64) | options
 *  IDB  1: LINKTYPE (u16) | reserved (u16) | snapshot length (u32) | options (if_tsresol 9, if_tsoffset 14)
 *  EPB  6: interface id (u32) | ts high | ts low | captured length | original length | data, padded to 4
 *  SPB  3: original length (u32) | data, padded to 4 (interface 0, no timestamp)
 *  PB   2: interface id (u16) | drops (u16) | ts high | ts low | captured length | original length | data
 * </pre>
 */
final class CaptureFileDescriptor
{
    static final int PCAP_MAGIC_MICROS = 0xA1B2C3D4;
    static final int PCAP_MAGIC_NANOS = 0xA1B23C4D;
    /** Alexey Kuznetzov's patched libpcap: 8 more bytes (ifindex, protocol, pkt_type, pad) per record header. */
    static final int PCAP_MAGIC_KUZNETZOV = 0xA1B2CD34;
    static final int PCAPNG_SHB_TYPE = 0x0A0D0D0A;
    static final int PCAPNG_BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    static final int GZIP_MAGIC_16 = 0x1F8B;

    static final int PCAP_FILE_HEADER_LENGTH = 24;
    static final int PCAP_VERSION_MAJOR_OFFSET = 4;
    static final int PCAP_VERSION_MINOR_OFFSET = 6;
    static final int PCAP_SNAPLEN_OFFSET = 16;
    static final int PCAP_LINKTYPE_OFFSET = 20;
    static final int PCAP_RECORD_HEADER_LENGTH = 16;
    static final int PCAP_KUZNETZOV_RECORD_HEADER_LENGTH = 24;
    static final int PCAP_TS_SEC_OFFSET = 0;
    static final int PCAP_TS_FRACTION_OFFSET = 4;
    static final int PCAP_CAPLEN_OFFSET = 8;
    static final int PCAP_WIRELEN_OFFSET = 12;

    /** The LINKTYPE itself: the low 16 bits of the pcap header's link-type field. */
    static final int PCAP_LINKTYPE_MASK = 0x0000FFFF;
    /** Reserved bits of the link-type field (bits 16-25): must be zero, libpcap refuses the file otherwise. */
    static final int PCAP_LINKTYPE_RESERVED_MASK = 0x03FF0000;

    static final int BLOCK_TYPE_PB = 2;
    static final int BLOCK_TYPE_IDB = 1;
    static final int BLOCK_TYPE_SPB = 3;
    static final int BLOCK_TYPE_EPB = 6;
    /** Block type and total length. */
    static final int BLOCK_HEADER_LENGTH = 8;
    /** Block header plus the trailing copy of the total length: the smallest legal block. */
    static final int BLOCK_MIN_LENGTH = 12;
    /** Block header, byte-order magic, version, section length, trailer. */
    static final int SHB_MIN_LENGTH = 28;
    /** libpcap refuses a first section header longer than this (BT_SHB_INSANE_MAX). */
    static final int SHB_MAX_LENGTH = 1024 * 1024;
    static final int SHB_BYTE_ORDER_OFFSET = 8;
    static final int SHB_MAJOR_OFFSET = 12;
    static final int SHB_MINOR_OFFSET = 14;
    static final int IDB_LINKTYPE_OFFSET = 8;
    static final int IDB_SNAPLEN_OFFSET = 12;
    static final int IDB_OPTIONS_OFFSET = 16;
    static final int EPB_INTERFACE_OFFSET = 8;
    static final int EPB_TS_HIGH_OFFSET = 12;
    static final int EPB_TS_LOW_OFFSET = 16;
    static final int EPB_CAPLEN_OFFSET = 20;
    static final int EPB_WIRELEN_OFFSET = 24;
    static final int EPB_DATA_OFFSET = 28;
    static final int PB_INTERFACE_OFFSET = 8;
    static final int SPB_WIRELEN_OFFSET = 8;
    static final int SPB_DATA_OFFSET = 12;
    static final int OPT_ENDOFOPT = 0;
    static final int OPT_IF_TSRESOL = 9;
    static final int OPT_IF_TSOFFSET = 14;

    /** libpcap's MAXIMUM_SNAPLEN: captured lengths above this are treated as corruption. */
    static final int DEFAULT_MAX_SNAPLEN = 262_144;
    /** libpcap's INITIAL_MAX_BLOCKSIZE for pcapng. */
    static final int INITIAL_MAX_BLOCK_LENGTH = 16 * 1024 * 1024;

    private CaptureFileDescriptor()
    {
    }

    /**
     * libpcap's {@code max_snaplen_for_dlt}: the largest captured length that is not corruption.
     *
     * @param linkType LINKTYPE_* value.
     * @return bytes.
     */
    static int maxSnapLength(final int linkType)
    {
        switch (linkType)
        {
            case 231: // D-Bus
                return 128 * 1024 * 1024;
            case 279: // EBHSCR
                return 8 * 1024 * 1024;
            case 249: // USBPcap
                return 1024 * 1024;
            default:
                return DEFAULT_MAX_SNAPLEN;
        }
    }

    /**
     * libpcap's {@code pcap_adjust_snapshot}: a snapshot length of 0 or above the maximum means "the maximum".
     *
     * @param linkType LINKTYPE_* value.
     * @param snapLength snapshot length from the file, unsigned.
     * @return effective snapshot length in bytes, positive.
     */
    static int effectiveSnapLength(final int linkType, final int snapLength)
    {
        final int max = maxSnapLength(linkType);
        return snapLength == 0 || Integer.compareUnsigned(snapLength, max) > 0 ? max : snapLength;
    }

    /**
     * libpcap's {@code MAX_BLOCKSIZE_FOR_SNAPLEN}: an EPB with a maximum-sized packet and 128 KiB of options.
     *
     * @param linkType LINKTYPE_* value.
     * @return bytes.
     */
    static int maxBlockLength(final int linkType)
    {
        return Math.max(INITIAL_MAX_BLOCK_LENGTH, BLOCK_HEADER_LENGTH + 20 + maxSnapLength(linkType) + 131_072 + 4);
    }
}
