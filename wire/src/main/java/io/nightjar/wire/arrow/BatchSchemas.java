package io.nightjar.wire.arrow;

import io.nightjar.wire.schema.Anomaly;
import io.nightjar.wire.schema.TrafficClass;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Arrow schemas of what a sensor ships (version {@value #VERSION}): flow records and bin
 * summaries, each row carrying the sensor id. Times are microseconds since the epoch, UTC
 * (Arrow timestamp without zone); addresses are 16 bytes (IPv4 as IPv4-mapped IPv6). The field
 * lists are documented in the README ("Shipped batches"); a change of any field is a new version.
 *
 * <p>Version 2 added the nullable {@code slot_packets} and {@code destination_prefixes} columns of
 * backscatter records ({@link io.nightjar.wire.schema.BackscatterDetail}). Version 3 added the
 * capture statistics of each bin ({@link #CAPTURE_COLUMNS}, after {@code last_ts}); its flow schema
 * has the fields of version 2. {@link #flows(int)} and {@link #bins(int)} give the schemas of every
 * version from {@link #OLDEST_READ_VERSION}, so an aggregator can read batches of older sensors
 * ({@link BatchUpgrade}).
 */
public final class BatchSchemas
{
    /** Schema version, also sent in HELLO and kept in each schema's metadata. */
    public static final int VERSION = 3;
    /** Oldest schema version whose batches {@link BatchUpgrade} brings to {@link #VERSION}. */
    public static final int OLDEST_READ_VERSION = 2;
    /**
     * The bin columns new in version 3, in schema order: a live capture's statistics over the bin
     * ({@link io.nightjar.wire.schema.CaptureStats}); {@code capture_drops} is their drop total.
     */
    public static final List<String> CAPTURE_COLUMNS = List.of("capture_received", "capture_kernel_drops", "capture_interface_drops",
        "capture_ring_drops");
    /** Metadata key naming the schema ("flows" or "bins"). */
    public static final String META_KIND = "nightjar.schema";
    /** Metadata key holding {@link #VERSION}. */
    public static final String META_VERSION = "nightjar.schema.version";

    private static final ArrowType UTF8 = ArrowType.Utf8.INSTANCE;
    private static final ArrowType MICROS = new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
    private static final ArrowType ADDRESS = new ArrowType.FixedSizeBinary(16);
    private static final ArrowType U8 = new ArrowType.Int(8, false);
    private static final ArrowType U16 = new ArrowType.Int(16, false);
    private static final ArrowType I32 = new ArrowType.Int(32, true);
    private static final ArrowType I64 = new ArrowType.Int(64, true);

    /** Flow records: one row per (bin, source, protocol, port, class, fingerprint, victim). */
    public static final Schema FLOWS = flows(VERSION);

    /** Bin summaries: one row per sensor and bin, with every packet of the bin counted. */
    public static final Schema BINS = bins(VERSION);

    private BatchSchemas()
    {
    }

    /**
     * The flow schema of {@code version} (same fields in versions 2 and 3, the metadata differs).
     *
     * @throws IllegalArgumentException for a version older than {@link #OLDEST_READ_VERSION} or newer than {@link #VERSION}.
     */
    public static Schema flows(final int version)
    {
        requireReadable(version);
        return new Schema(List.of(
        field("sensor_id", UTF8, false),
        field("bin_start", MICROS, false),
        field("bin_length_us", I64, false),
        field("src", ADDRESS, false),
        field("protocol", U8, false),
        field("port", U16, false),
        field("class", U8, false),
        field("fingerprint", U8, false),
        field("victim", ADDRESS, true),
        field("packets", I64, false),
        field("bytes", I64, false),
        field("destinations", I64, false),
        field("destination_sketch", ArrowType.Binary.INSTANCE, true),
        field("first_ts", MICROS, false),
        field("last_ts", MICROS, false),
        field("tcp_flags", U8, false),
        field("ttl_min", U8, false),
        field("ttl_max", U8, false),
        field("syn_window", I32, false),
        field("syn_options", UTF8, false),
        field("slot_packets", ArrowType.Binary.INSTANCE, true),
        field("destination_prefixes", ArrowType.Binary.INSTANCE, true)),
        Map.of(META_KIND, "flows", META_VERSION, Integer.toString(version)));
    }

    /**
     * The bin schema of {@code version}: version 2 lacks the {@link #CAPTURE_COLUMNS}.
     *
     * @throws IllegalArgumentException for a version older than {@link #OLDEST_READ_VERSION} or newer than {@link #VERSION}.
     */
    public static Schema bins(final int version)
    {
        requireReadable(version);
        final List<Field> fields = new ArrayList<>();
        fields.add(field("sensor_id", UTF8, false));
        fields.add(field("bin_start", MICROS, false));
        fields.add(field("bin_length_us", I64, false));
        for (final TrafficClass c : TrafficClass.values())
        {
            fields.add(field(c.key() + "_packets", I64, false));
            fields.add(field(c.key() + "_bytes", I64, false));
        }
        for (final Anomaly a : Anomaly.values())
        {
            fields.add(field("anomaly_" + a.key(), I64, false));
        }
        for (final String name : List.of("non_darknet_packets", "non_darknet_bytes", "ipv4", "ipv6", "capture_drops", "flows"))
        {
            fields.add(field(name, I64, false));
        }
        fields.add(field("first_ts", MICROS, false));
        fields.add(field("last_ts", MICROS, false));
        if (version >= 3)
        {
            // at the end, so a store's table migrated by ADD COLUMN has the columns in the order of a new one
            for (final String name : CAPTURE_COLUMNS)
            {
                fields.add(field(name, I64, false));
            }
        }
        return new Schema(fields, Map.of(META_KIND, "bins", META_VERSION, Integer.toString(version)));
    }

    /** The schema of {@code version} for bin summaries ({@code bins}) or flow records. */
    public static Schema of(final boolean bins, final int version)
    {
        return bins ? bins(version) : flows(version);
    }

    /** Whether batches of {@code version} can be read (and upgraded to {@link #VERSION}). */
    public static boolean readable(final int version)
    {
        return version >= OLDEST_READ_VERSION && version <= VERSION;
    }

    private static void requireReadable(final int version)
    {
        if (!readable(version))
        {
            throw new IllegalArgumentException("schema version " + version + ", readable are " + OLDEST_READ_VERSION + " to " + VERSION);
        }
    }

    private static Field field(final String name, final ArrowType type, final boolean nullable)
    {
        return new Field(name, new FieldType(nullable, type, null), null);
    }
}
