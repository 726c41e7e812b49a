package io.nightjar.aggregator.report;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * A half-open time range {@code [from, to)} in UTC, and its split into calendar quarters (the
 * unit of the quarterly top-port tables). Immutable.
 *
 * @param from  first instant included.
 * @param to    first instant excluded.
 * @param label e.g. {@code 2024 Q2}; for the whole range the dates.
 */
public record Period(Instant from, Instant to, String label)
{
    /** Parses {@code --from}/{@code --to}: an ISO date (midnight UTC) or an ISO instant. */
    public static Instant parse(final String option, final String value)
    {
        try
        {
            if (value.length() == 10)
            {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return Instant.parse(value);
        }
        catch (final DateTimeParseException ex)
        {
            throw new IllegalArgumentException(option + ": not a date (2024-06-01) or instant (2024-06-01T00:00:00Z): " + value);
        }
    }

    /** The whole range, labelled by its first and last day. */
    public static Period of(final Instant from, final Instant to)
    {
        return new Period(from, to, day(from) + " to " + day(to.minusNanos(1)));
    }

    /** The calendar quarters the range touches, each clipped to the range. */
    public List<Period> quarters()
    {
        final List<Period> out = new ArrayList<>();
        LocalDate d = LocalDate.ofInstant(from, ZoneOffset.UTC);
        LocalDate q = LocalDate.of(d.getYear(), ((d.getMonthValue() - 1) / 3) * 3 + 1, 1);
        while (q.atStartOfDay(ZoneOffset.UTC).toInstant().isBefore(to))
        {
            final LocalDate next = q.plusMonths(3);
            final Instant qs = q.atStartOfDay(ZoneOffset.UTC).toInstant();
            final Instant qe = next.atStartOfDay(ZoneOffset.UTC).toInstant();
            final Instant s = qs.isBefore(from) ? from : qs;
            final Instant e = qe.isAfter(to) ? to : qe;
            String label = q.getYear() + " Q" + ((q.getMonthValue() - 1) / 3 + 1);
            if (!s.equals(qs) || !e.equals(qe))
            {
                label += " (" + day(s) + " to " + day(e.minusNanos(1)) + ")";
            }
            out.add(new Period(s, e, label));
            q = next;
        }
        return out;
    }

    /** A short id for file names: {@code 2024q2}. */
    public String fileId()
    {
        final LocalDate d = LocalDate.ofInstant(from, ZoneOffset.UTC);
        return d.getYear() + "q" + ((d.getMonthValue() - 1) / 3 + 1);
    }

    /** Length in days (rounded up). */
    public long days()
    {
        return (java.time.Duration.between(from, to).toSeconds() + 86_399) / 86_400;
    }

    private static String day(final Instant t)
    {
        return LocalDate.ofInstant(t, ZoneOffset.UTC).toString();
    }
}
