package io.nightjar.aggregator.stats;

/** The tables each kind of statistic row is read from, at each level ({@link Union}). */
final class Tables
{
    /** Packets and bytes per (protocol, port, class). */
    static final Union.Tables PORTS = new Union.Tables("flows", "port_day", "port_day_region", "port_month_region");
    /** Distinct (protocol, port, class, source) keys. */
    static final Union.Tables PORT_SOURCES = new Union.Tables("flows", "port_src_day", null, null);
    /** Packets per source with its country and ASN. */
    static final Union.Tables SOURCES = new Union.Tables(
        "(SELECT f.*, a.country, a.asn FROM flows f LEFT JOIN sources a ON a.src = f.src)",
        "(SELECT d.*, a.country, a.asn FROM src_day d LEFT JOIN sources a ON a.src = d.src)", "src_day_region", "src_month_region");
    /** Bins per sensor. */
    static final Union.Tables SENSORS = new Union.Tables("bins", "sensor_day", null, null);

    /** {@link #PORTS} for a series of {@code step}: monthly roll-ups only for monthly steps. */
    static Union.Tables ports(final Step step)
    {
        return step == Step.MONTH ? PORTS : new Union.Tables(PORTS.records(), PORTS.day(), PORTS.dayRegion(), null);
    }

    private Tables()
    {
    }
}
