package io.nightjar.aggregator.report;

import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;
import com.openhtmltopdf.svgsupport.BatikSVGDrawer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Renders the report's XHTML to PDF with openhtmltopdf (PDFBox): inline SVG charts through its
 * Batik drawer (vector graphics), and the {@link ReportFonts} embedded as subsets. One call per
 * report; any thread.
 */
public final class PdfWriter
{
    private PdfWriter()
    {
    }

    /** Writes {@code xhtml} as a PDF to {@code out}. */
    public static void write(final String xhtml, final ReportFonts fonts, final Path out) throws IOException
    {
        try (OutputStream os = Files.newOutputStream(out))
        {
            final PdfRendererBuilder b = new PdfRendererBuilder();
            b.useFastMode();
            b.useSVGDrawer(new BatikSVGDrawer());
            for (final ReportFonts.FontFile f : fonts.files())
            {
                b.useFont(f.file().toFile(), f.family(), f.weight(), PdfRendererBuilder.FontStyle.NORMAL, true);
            }
            b.withHtmlContent(xhtml, out.getParent() == null ? null : out.getParent().toUri().toString());
            b.toStream(os);
            b.run();
        }
        catch (final IOException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw new IOException("cannot render " + out + ": " + ex.getMessage(), ex);
        }
    }
}
