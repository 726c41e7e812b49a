package io.nightjar.wire.frame;

/**
 * The frame types of the sensor-aggregator protocol, with who may send each. The numeric code is
 * the header's type byte.
 */
public enum FrameType
{
    /** Sensor to aggregator, first frame: sensor id, software version, schema version. */
    HELLO(1, true, false),
    /** Sensor to aggregator: batch sequence, spool positions, one Arrow IPC stream. */
    BATCH(2, true, false),
    /** Aggregator to sensor: highest durable batch sequence and its spool position (also the answer to HELLO). */
    ACK(3, false, true),
    /** Sensor to aggregator: health counters and clock. */
    HEARTBEAT(4, true, false),
    /** Either way, then the sender closes: error code and message. */
    ERROR(5, true, true);

    private static final FrameType[] BY_CODE = new FrameType[6];

    static
    {
        for (final FrameType t : values())
        {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final boolean fromSensor;
    private final boolean fromAggregator;

    FrameType(final int code, final boolean fromSensor, final boolean fromAggregator)
    {
        this.code = code;
        this.fromSensor = fromSensor;
        this.fromAggregator = fromAggregator;
    }

    /** The header's type byte. */
    public int code()
    {
        return code;
    }

    /** True if a sensor may send this type. */
    public boolean fromSensor()
    {
        return fromSensor;
    }

    /** True if an aggregator may send this type. */
    public boolean fromAggregator()
    {
        return fromAggregator;
    }

    /** The type with {@code code}, or null if there is none. */
    public static FrameType ofCode(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
