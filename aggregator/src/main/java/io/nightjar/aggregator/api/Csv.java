package io.nightjar.aggregator.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Renders an answer's rows (maps of column to value) as RFC 4180 CSV: a header line with the
 * union of the rows' columns in first-seen order, then one line per row; lists are joined by
 * {@code ;}, nested maps as {@code key=value} pairs; nulls are empty.
 */
public final class Csv
{
    private Csv()
    {
    }

    /** The CSV text of {@code rows}. */
    public static String render(final List<?> rows)
    {
        final Set<String> columns = new LinkedHashSet<>();
        for (final Object r : rows)
        {
            if (r instanceof Map<?, ?> m)
            {
                m.keySet().forEach(k -> columns.add(String.valueOf(k)));
            }
        }
        final StringBuilder sb = new StringBuilder();
        sb.append(String.join(",", quoteAll(columns))).append("\r\n");
        for (final Object r : rows)
        {
            final Map<?, ?> m = (Map<?, ?>)r;
            final StringJoiner line = new StringJoiner(",");
            for (final String c : columns)
            {
                line.add(quote(text(m.get(c))));
            }
            sb.append(line).append("\r\n");
        }
        return sb.toString();
    }

    private static List<String> quoteAll(final Collection<String> values)
    {
        final List<String> out = new ArrayList<>();
        values.forEach(v -> out.add(quote(v)));
        return out;
    }

    private static String text(final Object v)
    {
        if (v == null)
        {
            return "";
        }
        if (v instanceof Collection<?> c)
        {
            final StringJoiner j = new StringJoiner(";");
            c.forEach(x -> j.add(text(x)));
            return j.toString();
        }
        if (v instanceof Map<?, ?> m)
        {
            final StringJoiner j = new StringJoiner(";");
            m.forEach((k, x) -> j.add(k + "=" + text(x)));
            return j.toString();
        }
        return v.toString();
    }

    private static String quote(final String v)
    {
        if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0)
        {
            return v;
        }
        return '"' + v.replace("\"", "\"\"") + '"';
    }
}
