package io.nightjar.aggregator.stats;

import io.nightjar.aggregator.api.QueryParams;
import io.nightjar.wire.schema.TrafficClass;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /api/v1/meta}: what a client needs to build its views: the sensors (with member state,
 * organisation, darknet size and stored range), member states, the stored data range, the class
 * keys, who the token belongs to, and the data attribution.
 */
public final class MetaQuery
{
    /** Parameters. */
    public static final Set<String> PARAMETERS = Set.of();

    private final StatsContext ctx;

    /** Meta over {@code ctx}. */
    public MetaQuery(final StatsContext ctx)
    {
        this.ctx = ctx;
    }

    /** Runs the query. */
    public Map<String, Object> run(final QueryParams p) throws Exception
    {
        try (Connection c = ctx.reader())
        {
            final SensorCatalog cat = SensorCatalog.load(c);
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("api", "v1");
            final List<Map<String, Object>> sensors = new ArrayList<>();
            for (final SensorCatalog.Sensor s : cat.sensors().values())
            {
                sensors.add(Rows.row("sensor_id", s.id(), "country", s.country(), "organisation", s.organisation(),
                    "darknet_addresses", s.darknetAddresses(), "darknet_size_configured", s.sizeConfigured(),
                    "first_bin", s.hasData() ? Times.iso(s.firstBinMicros()) : null,
                    "last_bin", s.hasData() ? Times.iso(s.lastBinEndMicros() - s.binLengthMicros()) : null));
            }
            m.put("sensors", sensors);
            m.put("member_states", cat.memberStates());
            m.put("data_range", Rows.row("first", Times.iso(cat.dataFirstMicros()), "last", Times.iso(cat.dataLastMicros())));
            final List<String> classes = new ArrayList<>();
            for (final TrafficClass t : TrafficClass.values())
            {
                if (t.isIp())
                {
                    classes.add(t.key());
                }
            }
            m.put("classes", classes);
            m.put("steps", List.of("5m", "1h", "1d", "1w", "1mo"));
            m.put("token", Rows.row("organisation", p.principal().organisation(), "member_state", p.principal().memberState()));
            m.put("attribution", ctx.attribution());
            return m;
        }
    }
}
