package io.nightjar.aggregator.report;

import java.util.List;

/**
 * Writes a {@link Report} as one self-contained XHTML document (inline CSS, inline SVG charts, no
 * external resources), well-formed so that openhtmltopdf renders the same document to PDF. The
 * {@code @page} rules only apply to the PDF. Stateless; any thread.
 */
public final class HtmlWriter
{
    private static final String CSS = """
        @page { size: A4; margin: 18mm 15mm 18mm 15mm;
                @bottom-left { content: "Nightjar threat-landscape report"; font-family: %1$s; font-size: 7.5pt; color: #777; }
                @bottom-right { content: "page " counter(page) " of " counter(pages); font-family: %1$s; font-size: 7.5pt; color: #777; } }
        html, body { font-family: %1$s; font-size: 9.5pt; color: #1b1b1b; line-height: 1.35; }
        body { max-width: 180mm; margin: 0 auto; }
        h1 { font-size: 20pt; margin: 0 0 2mm 0; color: #0b3d62; }
        h1.state { page-break-before: always; font-size: 16pt; border-bottom: 2px solid #0b3d62; padding-bottom: 1mm; }
        h2 { font-size: 13pt; margin: 7mm 0 2mm 0; color: #0b3d62; border-bottom: 1px solid #c9d6e2; padding-bottom: 0.5mm; page-break-after: avoid; }
        h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm 0; page-break-after: avoid; }
        p.subtitle { color: #555; margin: 0 0 5mm 0; }
        div.figures { margin: 2mm 0 3mm 0; }
        div.figure { display: inline-block; width: 36mm; margin: 0 2mm 2mm 0; padding: 2mm; background: #eef3f8; border-radius: 2mm; vertical-align: top; }
        div.figure span.value { display: block; font-size: 13pt; font-weight: bold; color: #0b3d62; }
        div.figure span.label { display: block; font-size: 8pt; color: #555; }
        table { border-collapse: collapse; width: 100%%; margin: 1mm 0 1mm 0; font-size: 8pt; -fs-table-paginate: paginate; }
        th { background: #0b3d62; color: white; text-align: left; padding: 1mm 1.5mm; font-weight: bold; }
        td { padding: 0.8mm 1.5mm; border-bottom: 1px solid #dde3ea; white-space: nowrap; }
        td.w { white-space: normal; word-wrap: break-word; }
        table.wide { font-size: 7pt; }
        table.wide th, table.wide td { padding: 0.7mm 1mm; }
        tr { page-break-inside: avoid; }
        td.n, th.n { text-align: right; }
        p.note { font-size: 7.5pt; color: #666; margin: 0 0 3mm 0; }
        div.chart { margin: 2mm 0 3mm 0; page-break-inside: avoid; }
        div.chart p.caption { font-weight: bold; margin: 0 0 1mm 0; }
        div.chart svg { width: 100%%; height: auto; }
        ul { margin: 1mm 0 3mm 0; padding-left: 5mm; }
        li { margin-bottom: 0.8mm; }
        p.empty { color: #777; font-style: italic; }
        div.toc { margin: 0 0 4mm 0; padding: 2mm 4mm; border-left: 3px solid #0b3d62; background: #f6f8fa; }
        div.toc p.toc-title { font-weight: bold; margin: 0 0 1mm 0; }
        div.toc ul { margin: 0; padding-left: 4mm; }
        div.toc li { margin: 0; }
        div.toc a { color: #0b3d62; text-decoration: none; }
        """;

    private HtmlWriter()
    {
    }

    /** The report as XHTML. */
    public static String write(final Report report)
    {
        final StringBuilder h = new StringBuilder(256 << 10);
        h.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n");
        h.append("<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"UTF-8\"/>\n<title>")
            .append(esc(report.title())).append("</title>\n<style>\n").append(String.format(java.util.Locale.ROOT, CSS, ReportFonts.CSS_FAMILIES))
            .append("</style>\n</head>\n<body>\n");
        h.append("<h1>").append(esc(report.title())).append("</h1>\n<p class=\"subtitle\">").append(esc(report.subtitle())).append("</p>\n");
        contents(h, report);
        for (final Report.Section s : report.sections())
        {
            final boolean state = s.id().startsWith("state-");
            h.append(state ? "<h1 class=\"state\" id=\"" : "<h2 id=\"").append(esc(s.id())).append("\">").append(esc(s.heading()))
                .append(state ? "</h1>\n" : "</h2>\n");
            for (final Report.Block b : s.blocks())
            {
                block(h, b);
            }
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    /** A table of contents: the regional sections, then each member state's part, then method and attributions (links work in the PDF too). */
    private static void contents(final StringBuilder h, final Report report)
    {
        h.append("<div class=\"toc\"><p class=\"toc-title\">Contents</p>\n<ul>\n");
        for (final Report.Section s : report.sections())
        {
            final boolean state = s.id().startsWith("state-");
            // a member state's own sections ("th-summary", ...) sit under its heading
            if (!state && s.id().matches("[a-z]{2}-.*"))
            {
                continue;
            }
            h.append(state ? "<li class=\"state\">" : "<li>").append("<a href=\"#").append(esc(s.id())).append("\">").append(esc(s.heading()))
                .append("</a></li>\n");
        }
        h.append("</ul></div>\n");
    }

    private static void block(final StringBuilder h, final Report.Block b)
    {
        if (b instanceof Report.Paragraph p)
        {
            h.append("<p>").append(esc(p.text())).append("</p>\n");
        }
        else if (b instanceof Report.Figures f)
        {
            h.append("<div class=\"figures\">");
            for (final Report.Figure x : f.figures())
            {
                h.append("<div class=\"figure\"><span class=\"value\">").append(esc(x.value())).append("</span><span class=\"label\">")
                    .append(esc(x.label())).append("</span></div>");
            }
            h.append("</div>\n");
        }
        else if (b instanceof Report.Notes n)
        {
            if (!n.title().isEmpty())
            {
                h.append("<h3>").append(esc(n.title())).append("</h3>\n");
            }
            h.append("<ul>\n");
            for (final String item : n.items())
            {
                h.append("<li>").append(esc(item)).append("</li>\n");
            }
            h.append("</ul>\n");
        }
        else if (b instanceof Report.Chart c)
        {
            h.append("<div class=\"chart\"><p class=\"caption\">").append(esc(c.title())).append("</p>\n").append(c.svg()).append("\n</div>\n");
        }
        else if (b instanceof Report.Table t)
        {
            table(h, t);
        }
    }

    private static void table(final StringBuilder h, final Report.Table t)
    {
        h.append("<h3>").append(esc(t.title())).append("</h3>\n");
        if (t.cells().isEmpty())
        {
            h.append("<p class=\"empty\">No data in this period.</p>\n");
        }
        else
        {
            h.append(t.columns().size() > 8 ? "<table class=\"wide\">\n<thead><tr>" : "<table>\n<thead><tr>");
            final List<String> cols = t.columns();
            for (int i = 0; i < cols.size(); i++)
            {
                h.append(t.numeric()[i] ? "<th class=\"n\">" : "<th>").append(esc(cols.get(i))).append("</th>");
            }
            h.append("</tr></thead>\n<tbody>\n");
            for (final List<String> row : t.cells())
            {
                h.append("<tr>");
                for (int i = 0; i < row.size(); i++)
                {
                    final boolean num = i < t.numeric().length && t.numeric()[i];
                    final boolean wrap = i < t.wrap().length && t.wrap()[i];
                    h.append(num ? "<td class=\"n\">" : wrap ? "<td class=\"w\">" : "<td>").append(esc(row.get(i))).append("</td>");
                }
                h.append("</tr>\n");
            }
            h.append("</tbody>\n</table>\n");
        }
        if (!t.note().isEmpty())
        {
            h.append("<p class=\"note\">").append(esc(t.note())).append("</p>\n");
        }
    }

    /** Escapes text for XHTML content and attributes (and drops characters XML 1.0 forbids). */
    static String esc(final String s)
    {
        if (s == null)
        {
            return "";
        }
        final StringBuilder o = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '<' -> o.append("&lt;");
                case '>' -> o.append("&gt;");
                case '&' -> o.append("&amp;");
                case '"' -> o.append("&quot;");
                default ->
                {
                    if (c >= 0x20 || c == '\n' || c == '\t')
                    {
                        o.append(c);
                    }
                }
            }
        }
        return o.toString();
    }
}
