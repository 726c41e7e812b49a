package io.nightjar.aggregator.api;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.nightjar.aggregator.auth.Principal;
import io.nightjar.aggregator.stats.Scope;
import io.nightjar.aggregator.stats.SensorCatalog;
import io.nightjar.aggregator.stats.Step;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzz target for the query-string path of the HTTP API: an arbitrary query string, decoded
 * as {@link HttpApi} decodes it ({@link QueryParams#decode}), then read through {@link QueryParams} and
 * {@link Scope#resolve} for a regional or a member-state caller, either gives a value (a scope whose range is
 * non-empty and whose sensors, protocol and port are valid; a time given as an ISO instant is its exact µs)
 * or an {@link ApiException} with status 400 or 403 naming a parameter; never another exception.
 */
class QueryParamsFuzzTest
{
    private static final Set<String> ALLOWED = union(Scope.PARAMETERS, Set.of("limit", "by", "step", "min_rate"));
    private static final SensorCatalog CATALOG = catalog();

    @FuzzTest(maxDuration = "60s")
    void anArbitraryQueryStringGivesAValueOrA400Or403NamingTheParameter(final FuzzedDataProvider data)
    {
        final Principal who = switch (data.consumeInt(0, 2))
        {
            case 0 -> new Principal("regional", null);
            case 1 -> new Principal("ThaiCERT", "TH");
            default -> new Principal("VNCERT", "VN");
        };
        final boolean detail = data.consumeBoolean();
        final String query = data.consumeRemainingAsString();
        try
        {
            final Map<String, List<String>> raw = new LinkedHashMap<>(QueryParams.decode(new QueryStringDecoder("/api/v1/x?" + query)));
            final QueryParams p = new QueryParams(raw, ALLOWED, who, null);
            final Scope scope = Scope.resolve(p, CATALOG, 7, detail);
            assertThat(scope.fromMicros()).isLessThan(scope.toMicros());
            assertThat(CATALOG.sensors().keySet()).containsAll(scope.sensors());
            if (scope.protocol() != null)
            {
                assertThat(scope.protocol()).isBetween(0, 255);
            }
            if (scope.port() != null)
            {
                assertThat(scope.port()).isBetween(0, 65535);
            }
            if (!who.regional() && detail)
            {
                scope.sensors().forEach(id -> assertThat(CATALOG.get(id).country()).isEqualTo(who.memberState()));
            }
            exactInstant(raw, "from", scope.fromMicros());
            exactInstant(raw, "to", scope.toMicros());
            assertThat(p.integer("limit", 20, 1, 1000)).isBetween(1L, 1000L);
            assertThat(p.decimal("min_rate", 0, 0, 1e9)).isBetween(0.0, 1e9);
            assertThat(p.choice("by", "packets", "packets", "sources")).isIn("packets", "sources");
            if (p.has("step"))
            {
                assertThat(Step.of("step", p.string("step", null))).isNotNull();
            }
        }
        catch (final ApiException ex)
        {
            assertThat(ex.status()).as(ex.getMessage()).isIn(400, 403);
            assertThat(ex.parameter()).as(ex.getMessage()).isNotNull();
            assertThat(ex.getMessage()).isNotNull();
        }
    }

    /** A time given as an ISO instant is that instant in µs, exactly (no silent overflow). */
    private static void exactInstant(final Map<String, List<String>> raw, final String name, final long micros)
    {
        final List<String> v = raw.get(name);
        if (v == null || v.size() != 1 || v.get(0).isEmpty() || v.get(0).length() == 10 || v.get(0).matches("-?\\d{1,12}(\\.\\d{1,6})?"))
        {
            return;
        }
        try
        {
            final Instant t = Instant.parse(v.get(0));
            final BigInteger expected = BigInteger.valueOf(t.getEpochSecond()).multiply(BigInteger.valueOf(1_000_000))
                .add(BigInteger.valueOf(t.getNano() / 1000));
            assertThat(BigInteger.valueOf(micros)).as("%s=%s", name, v.get(0)).isEqualTo(expected);
        }
        catch (final DateTimeParseException ex)
        {
            throw new AssertionError(name + "=" + v.get(0) + " accepted but is not an instant", ex);
        }
    }

    private static Set<String> union(final Set<String> a, final Set<String> b)
    {
        final Set<String> out = new java.util.HashSet<>(a);
        out.addAll(b);
        return Set.copyOf(out);
    }

    private static SensorCatalog catalog()
    {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement())
        {
            st.execute("CREATE TABLE sensors (sensor_id VARCHAR PRIMARY KEY, country VARCHAR, organisation VARCHAR, darknet_addresses BIGINT)");
            st.execute("CREATE TABLE sensor_span (sensor_id VARCHAR PRIMARY KEY, first_bin BIGINT NOT NULL, last_bin BIGINT NOT NULL,"
                + " bin_length_us BIGINT NOT NULL)");
            st.execute("INSERT INTO sensors VALUES ('th-bkk-1', 'TH', 'ThaiCERT', 256), ('vn-han-1', 'VN', 'VNCERT', 1024), ('x-1', NULL, NULL, NULL)");
            st.execute("INSERT INTO sensor_span VALUES ('th-bkk-1', 1717200000000000, 1717286340000000, 60000000)");
            return SensorCatalog.load(c);
        }
        catch (final SQLException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }
}
