package io.nightjar.aggregator.report;

import org.apache.batik.dom.GenericDOMImplementation;
import org.apache.batik.svggen.SVGGeneratorContext;
import org.apache.batik.svggen.SVGGraphics2D;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.time.TimeSeriesCollection;
import org.w3c.dom.DOMImplementation;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.text.NumberFormat;
import java.text.SimpleDateFormat;
import java.util.TimeZone;
import java.util.Locale;

/**
 * Draws the report's charts with JFreeChart onto Batik's {@link SVGGraphics2D} and returns them
 * as inline SVG elements, which browsers show in {@code report.html} and openhtmltopdf's Batik
 * drawer embeds as vector graphics in {@code report.pdf}. Stateless; any thread.
 */
public final class ChartRenderer
{
    /** Chart size in CSS pixels (fits an A4 page's text width). */
    public static final int WIDTH = 640;
    /** Chart height in CSS pixels. */
    public static final int HEIGHT = 300;

    private static final String SVG_NS = "http://www.w3.org/2000/svg";
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    private ChartRenderer()
    {
    }

    /** A bar chart of one or more series over categories; {@code stacked} stacks the series. */
    public static String bars(final DefaultCategoryDataset data, final String xLabel, final String yLabel, final boolean stacked)
    {
        final JFreeChart chart = stacked
            ? ChartFactory.createStackedBarChart(null, xLabel, yLabel, data, PlotOrientation.VERTICAL, data.getRowCount() > 1, false, false)
            : ChartFactory.createBarChart(null, xLabel, yLabel, data, PlotOrientation.VERTICAL, data.getRowCount() > 1, false, false);
        style(chart);
        final BarRenderer r = (BarRenderer)chart.getCategoryPlot().getRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setMaximumBarWidth(0.08);
        r.setItemMargin(0.02);
        colour(r, data.getRowCount());
        return svg(chart);
    }

    /** A line chart of time series (UTC dates on the x axis), e.g. packets per sensor per day for a few ports. */
    public static String timeLines(final TimeSeriesCollection data, final String yLabel)
    {
        final JFreeChart chart = ChartFactory.createTimeSeriesChart(null, null, yLabel, data, true, false, false);
        final StandardChartTheme theme = theme();
        theme.apply(chart);
        chart.setBackgroundPaint(Color.WHITE);
        // room for the last date label at the right edge
        chart.setPadding(new org.jfree.chart.ui.RectangleInsets(2, 2, 2, 24));
        final XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xcccccc));
        plot.setDomainGridlinePaint(new Color(0xe5e5e5));
        plot.setOutlineVisible(false);
        final DateAxis x = (DateAxis)plot.getDomainAxis();
        x.setTimeZone(TimeZone.getTimeZone("UTC"));
        final SimpleDateFormat f = new SimpleDateFormat("yyyy-MM-dd", Locale.ROOT);
        f.setTimeZone(TimeZone.getTimeZone("UTC"));
        x.setDateFormatOverride(f);
        final NumberAxis y = (NumberAxis)plot.getRangeAxis();
        y.setNumberFormatOverride(NumberFormat.getNumberInstance(Locale.ROOT));
        final XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, data.getItemCount(0) <= 31);
        for (int i = 0; i < data.getSeriesCount(); i++)
        {
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            r.setSeriesStroke(i, new BasicStroke(1.6f));
            r.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-2, -2, 4, 4));
        }
        plot.setRenderer(r);
        if (chart.getLegend() != null)
        {
            chart.getLegend().setFrame(org.jfree.chart.block.BlockBorder.NONE);
        }
        return svg(chart);
    }

    private static void colour(final org.jfree.chart.renderer.category.AbstractCategoryItemRenderer r, final int series)
    {
        for (int i = 0; i < series; i++)
        {
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
    }

    private static StandardChartTheme theme()
    {
        final StandardChartTheme theme = (StandardChartTheme)StandardChartTheme.createJFreeTheme();
        final String family = Font.SANS_SERIF;
        theme.setExtraLargeFont(new Font(family, Font.BOLD, 14));
        theme.setLargeFont(new Font(family, Font.BOLD, 11));
        theme.setRegularFont(new Font(family, Font.PLAIN, 10));
        theme.setSmallFont(new Font(family, Font.PLAIN, 9));
        return theme;
    }

    private static void style(final JFreeChart chart)
    {
        theme().apply(chart);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        final CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xcccccc));
        plot.setOutlineVisible(false);
        final NumberAxis y = (NumberAxis)plot.getRangeAxis();
        y.setNumberFormatOverride(NumberFormat.getIntegerInstance(Locale.ROOT));
        y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        if (chart.getLegend() != null)
        {
            chart.getLegend().setFrame(org.jfree.chart.block.BlockBorder.NONE);
        }
    }

    private static String svg(final JFreeChart chart)
    {
        final DOMImplementation dom = GenericDOMImplementation.getDOMImplementation();
        final Document doc = dom.createDocument(SVG_NS, "svg", null);
        final SVGGeneratorContext ctx = SVGGeneratorContext.createDefault(doc);
        ctx.setEmbeddedFontsOn(false);
        ctx.setPrecision(3);
        final SVGGraphics2D g = new SVGGraphics2D(ctx, false);
        g.setSVGCanvasSize(new java.awt.Dimension(WIDTH, HEIGHT));
        chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        final Element root = g.getRoot();
        root.setAttribute("width", Integer.toString(WIDTH));
        root.setAttribute("height", Integer.toString(HEIGHT));
        root.setAttribute("viewBox", "0 0 " + WIDTH + " " + HEIGHT);
        final StringWriter out = new StringWriter();
        try
        {
            // presentation attributes, not style="" CSS: openhtmltopdf's CSS parser would warn about SVG-only properties
            g.stream(root, out, false, false);
        }
        catch (final org.apache.batik.svggen.SVGGraphics2DIOException ex)
        {
            throw new UncheckedIOException(new IOException("cannot write chart SVG: " + ex.getMessage(), ex));
        }
        finally
        {
            g.dispose();
        }
        String s = out.toString();
        // an inline element: no XML declaration or DOCTYPE inside the HTML body
        final int start = s.indexOf("<svg");
        s = start >= 0 ? s.substring(start) : s;
        return s;
    }
}
