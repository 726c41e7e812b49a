package io.nightjar.aggregator.report;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes each {@link Report.Table} as {@code NAME.csv} (RFC 4180: comma-separated, quoted when a
 * value has a comma, quote or line break; UTF-8; header line first; CRLF line ends). Stateless.
 */
public final class CsvWriter
{
    private CsvWriter()
    {
    }

    /** Writes one table to {@code dir/NAME.csv} and returns the file. */
    public static Path write(final Report.Table t, final Path dir) throws IOException
    {
        final Path out = dir.resolve(t.name() + ".csv");
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8))
        {
            line(w, t.columns());
            for (final List<String> row : t.csv())
            {
                line(w, row);
            }
        }
        return out;
    }

    private static void line(final Writer w, final List<String> values) throws IOException
    {
        for (int i = 0; i < values.size(); i++)
        {
            if (i > 0)
            {
                w.write(',');
            }
            w.write(quote(values.get(i)));
        }
        w.write("\r\n");
    }

    /** A CSV field. */
    static String quote(final String v)
    {
        if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0)
        {
            return v;
        }
        return '"' + v.replace("\"", "\"\"") + '"';
    }
}
