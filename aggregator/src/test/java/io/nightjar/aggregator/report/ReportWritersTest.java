package io.nightjar.aggregator.report;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.text.PDFTextStripper;
import org.jfree.data.category.DefaultCategoryDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The writers on a report built by hand: HTML is well-formed and self-contained, the PDF carries the text in every script and embeds the fonts, CSV quotes. */
class ReportWritersTest
{
    private static Report sample()
    {
        final DefaultCategoryDataset ds = new DefaultCategoryDataset();
        ds.addValue(120, "tcp_scan", "2024-05");
        ds.addValue(80, "backscatter", "2024-05");
        ds.addValue(150, "tcp_scan", "2024-06");
        final TableBuilder t = new TableBuilder("sensors", "Sensors").text("sensor").text("organisation").number("packets");
        t.row().cell("th-bkk-1").cell("ไทยเซิร์ต").count(1234567);
        t.row().cell("jp-tyo-1").cell("日本CERT").count(42);
        t.row().cell("vn-han-1").cell("Trung tâm VNCERT, \"Hà Nội\"").count(7);
        final Report.Section s = Report.Section.of("summary", "Summary")
            .add(new Report.Figures(List.of(new Report.Figure("packets", Fmt.count(1234616)))))
            .add(new Report.Chart("Packets per month", ChartRenderer.bars(ds, "month", "packets", true)))
            .add(t.build())
            .add(new Report.Notes("Notes", List.of("a < b & c")));
        return new Report("Test report", "2024-06-01 to 2024-06-30", new ArrayList<>(List.of(s)));
    }

    @Test
    void shouldRenderEveryScriptIntoThePdfWithEmbeddedFonts(@TempDir final Path dir) throws Exception
    {
        final ReportFonts fonts = ReportFonts.find(ReportFonts.defaultRoots());
        assertThat(fonts.warnings()).as("fonts-noto-core and fonts-ipaexfont-gothic must be installed").isEmpty();
        final String html = HtmlWriter.write(sample());
        assertThat(html).contains("<svg").contains("ไทยเซิร์ต").contains("a &lt; b &amp; c").doesNotContain("<link").doesNotContain("src=\"http");
        javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new java.io.ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        final Path pdf = dir.resolve("report.pdf");
        PdfWriter.write(html, fonts, pdf);
        try (PDDocument doc = Loader.loadPDF(pdf.toFile()))
        {
            final String text = new PDFTextStripper().getText(doc);
            assertThat(text).contains("ไทยเซิร์ต").contains("日本CERT").contains("Trung tâm VNCERT").contains("1,234,567");
            final Set<String> embedded = new TreeSet<>();
            for (final PDPage page : doc.getPages())
            {
                for (final COSName name : page.getResources().getFontNames())
                {
                    final PDFont f = page.getResources().getFont(name);
                    if (f.isEmbedded())
                    {
                        embedded.add(f.getName());
                    }
                }
            }
            assertThat(embedded).anyMatch(n -> n.contains("NotoSansThai")).anyMatch(n -> n.contains("IPAexGothic")).anyMatch(n -> n.contains("NotoSans-"));
        }
    }

    @Test
    void shouldNameTheDebianPackageOfAMissingFont(@TempDir final Path empty)
    {
        final ReportFonts none = ReportFonts.find(List.of(empty));
        assertThat(none.files()).isEmpty();
        assertThat(none.warnings()).hasSize(3).anyMatch(w -> w.contains("Noto Sans Thai") && w.contains("fonts-noto-core"))
            .anyMatch(w -> w.contains("IPAexGothic") && w.contains("fonts-ipaexfont-gothic"));
    }

    @Test
    void shouldQuoteCsvFields(@TempDir final Path dir) throws Exception
    {
        final Path csv = CsvWriter.write(sample().tables().get(0), dir);
        final List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertThat(lines).containsExactly("sensor,organisation,packets", "th-bkk-1,ไทยเซิร์ต,1234567", "jp-tyo-1,日本CERT,42",
            "vn-han-1,\"Trung tâm VNCERT, \"\"Hà Nội\"\"\",7");
    }

    @Test
    void shouldSplitARangeIntoClippedCalendarQuarters()
    {
        final Period p = Period.of(Period.parse("--from", "2024-03-15"), Period.parse("--to", "2024-07-01"));
        assertThat(p.quarters()).extracting(Period::label).containsExactly("2024 Q1 (2024-03-15 to 2024-03-31)", "2024 Q2");
        assertThat(p.quarters()).extracting(Period::fileId).containsExactly("2024q1", "2024q2");
    }
}
