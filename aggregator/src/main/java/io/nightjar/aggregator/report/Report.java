package io.nightjar.aggregator.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A report as the writers see it: a title and sections of blocks (paragraphs, key figures, tables,
 * charts). Built once by {@link ReportBuilder}, then rendered to HTML, PDF and CSV; not modified
 * after it is built. Not thread-safe while being built.
 *
 * @param title    the report's title.
 * @param subtitle period and scope, one line.
 * @param sections in order.
 */
public record Report(String title, String subtitle, List<Section> sections)
{
    /** One block of a section. */
    public sealed interface Block permits Paragraph, Figures, Table, Chart, Notes
    {
    }

    /** A paragraph of plain text. */
    public record Paragraph(String text) implements Block
    {
    }

    /** Key figures shown as labelled numbers, e.g. total packets. */
    public record Figures(List<Figure> figures) implements Block
    {
    }

    /** One labelled figure (already formatted). */
    public record Figure(String label, String value)
    {
    }

    /** A bulleted list of notes (data-quality remarks, definitions). */
    public record Notes(String title, List<String> items) implements Block
    {
    }

    /**
     * A table, also written as {@code name.csv} (raw values in {@code csv}, formatted ones in {@code cells}).
     *
     * @param name    CSV file stem, unique in the report.
     * @param title   caption.
     * @param columns column headers.
     * @param cells   formatted cells per row, for HTML/PDF.
     * @param csv     raw values per row, for CSV (same shape as {@code cells}).
     * @param numeric which columns are numbers (right-aligned).
     * @param wrap    which columns may wrap (long names, addresses); the others stay on one line.
     * @param note    text below the table, or empty.
     */
    public record Table(String name, String title, List<String> columns, List<List<String>> cells, List<List<String>> csv,
                        boolean[] numeric, boolean[] wrap, String note) implements Block
    {
    }

    /** A chart as an inline SVG element ({@code <svg>...</svg>}, no XML prolog). */
    public record Chart(String title, String svg) implements Block
    {
    }

    /** A section: heading, anchor id and blocks. */
    public record Section(String id, String heading, List<Block> blocks)
    {
        /** An empty section to fill. */
        public static Section of(final String id, final String heading)
        {
            return new Section(id, heading, new ArrayList<>());
        }

        /** Adds a block; returns this. */
        public Section add(final Block b)
        {
            blocks.add(b);
            return this;
        }
    }

    /** Every table of the report, in order. */
    public List<Table> tables()
    {
        final List<Table> out = new ArrayList<>();
        for (final Section s : sections)
        {
            for (final Block b : s.blocks())
            {
                if (b instanceof Table t)
                {
                    out.add(t);
                }
            }
        }
        return out;
    }
}
