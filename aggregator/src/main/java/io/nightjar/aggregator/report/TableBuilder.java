package io.nightjar.aggregator.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link Report.Table} row by row, keeping a formatted and a raw value for every cell.
 * One builder per table, used by one thread.
 */
public final class TableBuilder
{
    private final String name;
    private final String title;
    private final List<String> columns = new ArrayList<>();
    private final List<Boolean> numeric = new ArrayList<>();
    private final List<Boolean> wrap = new ArrayList<>();
    private final List<List<String>> cells = new ArrayList<>();
    private final List<List<String>> csv = new ArrayList<>();
    private List<String> rowCells;
    private List<String> rowCsv;
    private String note = "";

    /** A table written as {@code name.csv} with caption {@code title}. */
    public TableBuilder(final String name, final String title)
    {
        this.name = name;
        this.title = title;
    }

    /** Adds a text column. */
    public TableBuilder text(final String column)
    {
        columns.add(column);
        numeric.add(false);
        wrap.add(false);
        return this;
    }

    /** Adds a text column that may wrap (names, addresses, lists). */
    public TableBuilder wrapping(final String column)
    {
        columns.add(column);
        numeric.add(false);
        wrap.add(true);
        return this;
    }

    /** Adds a numeric (right-aligned) column. */
    public TableBuilder number(final String column)
    {
        columns.add(column);
        numeric.add(true);
        wrap.add(false);
        return this;
    }

    /** Starts a row. */
    public TableBuilder row()
    {
        rowCells = new ArrayList<>();
        rowCsv = new ArrayList<>();
        cells.add(rowCells);
        csv.add(rowCsv);
        return this;
    }

    /** A cell with the same text in the report and the CSV. */
    public TableBuilder cell(final String value)
    {
        return cell(value, value);
    }

    /** A cell shown as {@code shown} and written to CSV as {@code raw}. */
    public TableBuilder cell(final String shown, final String raw)
    {
        rowCells.add(shown == null ? "" : shown);
        rowCsv.add(raw == null ? "" : raw);
        return this;
    }

    /** A count (grouped digits in the report, plain in the CSV). */
    public TableBuilder count(final long value)
    {
        return cell(Fmt.count(value), Long.toString(value));
    }

    /** A text under the table. */
    public TableBuilder note(final String text)
    {
        this.note = text;
        return this;
    }

    /** Rows so far. */
    public int rows()
    {
        return cells.size();
    }

    /** The table. */
    public Report.Table build()
    {
        final boolean[] n = new boolean[numeric.size()];
        final boolean[] w = new boolean[numeric.size()];
        for (int i = 0; i < n.length; i++)
        {
            n[i] = numeric.get(i);
            w[i] = wrap.get(i);
        }
        return new Report.Table(name, title, List.copyOf(columns), cells, csv, n, w, note);
    }
}
