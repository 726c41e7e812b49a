package io.nightjar.aggregator.report;

import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;
import com.openhtmltopdf.svgsupport.BatikSVGDrawer;
import org.apache.fontbox.cmap.CMap;
import org.apache.fontbox.cmap.CMapParser;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.io.RandomAccessReadBuffer;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType0Font;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Renders the report's XHTML to PDF with openhtmltopdf (PDFBox): inline SVG charts through its
 * Batik drawer (vector graphics), and the {@link ReportFonts} embedded as subsets. One call per
 * report; any thread.
 *
 * <p>Japanese fonts map one glyph from both a unified ideograph and its Kangxi radical (日 U+65E5
 * and ⽇ U+2F47); PDFBox writes the lowest code point into the text layer, so copying or searching
 * 日本 in the PDF would fail. After rendering, the text layer ({@code ToUnicode}) of each composite
 * font is rewritten with such compatibility characters replaced by their unified ideographs.
 */
public final class PdfWriter
{
    private PdfWriter()
    {
    }

    /** Writes {@code xhtml} as a PDF to {@code out}. */
    public static void write(final String xhtml, final ReportFonts fonts, final Path out) throws IOException
    {
        PdfLog.install();
        final ByteArrayOutputStream pdf = new ByteArrayOutputStream(1 << 20);
        try
        {
            final PdfRendererBuilder b = new PdfRendererBuilder();
            b.useSVGDrawer(new BatikSVGDrawer());
            for (final ReportFonts.FontFile f : fonts.files())
            {
                b.useFont(f.file().toFile(), f.family(), f.weight(), PdfRendererBuilder.FontStyle.NORMAL, true);
            }
            b.withHtmlContent(xhtml, out.toAbsolutePath().getParent().toUri().toString());
            b.toStream(pdf);
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
        try (PDDocument doc = Loader.loadPDF(pdf.toByteArray()); OutputStream os = Files.newOutputStream(out))
        {
            unifyIdeographs(doc);
            doc.save(os);
        }
    }

    /** Rewrites the ToUnicode maps of composite fonts so that radicals and compatibility ideographs read as unified ideographs. */
    static void unifyIdeographs(final PDDocument doc) throws IOException
    {
        final Set<COSBase> done = Collections.newSetFromMap(new IdentityHashMap<>());
        for (final PDPage page : doc.getPages())
        {
            final PDResources res = page.getResources();
            if (res == null)
            {
                continue;
            }
            for (final COSName name : res.getFontNames())
            {
                final PDFont font = res.getFont(name);
                if (!(font instanceof PDType0Font) || !done.add(font.getCOSObject()))
                {
                    continue;
                }
                final COSDictionary dict = font.getCOSObject();
                if (!(dict.getDictionaryObject(COSName.TO_UNICODE) instanceof COSStream stream))
                {
                    continue;
                }
                final CMap cmap;
                try (InputStream in = stream.createInputStream())
                {
                    cmap = new CMapParser().parse(new RandomAccessReadBuffer(in));
                }
                final Map<Integer, String> map = new TreeMap<>();
                boolean changed = false;
                for (int code = 0; code <= 0xffff; code++)
                {
                    final String u = cmap.toUnicode(code, 2);
                    if (u != null)
                    {
                        final String fixed = unify(u);
                        changed |= !fixed.equals(u);
                        map.put(code, fixed);
                    }
                }
                if (changed)
                {
                    final COSStream fresh = doc.getDocument().createCOSStream();
                    try (OutputStream os = fresh.createOutputStream(COSName.FLATE_DECODE))
                    {
                        os.write(toUnicodeCMap(map).getBytes(StandardCharsets.US_ASCII));
                    }
                    dict.setItem(COSName.TO_UNICODE, fresh);
                }
            }
        }
    }

    /** Kangxi radicals, CJK radicals and compatibility ideographs to their unified ideographs (NFKC, only there). */
    static String unify(final String s)
    {
        final StringBuilder o = new StringBuilder(s.length());
        s.codePoints().forEach(cp ->
        {
            final boolean compat = cp >= 0x2E80 && cp <= 0x2FDF || cp >= 0xF900 && cp <= 0xFAFF || cp >= 0x2F800 && cp <= 0x2FA1F;
            o.append(compat ? Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC) : new String(Character.toChars(cp)));
        });
        return o.toString();
    }

    private static String toUnicodeCMap(final Map<Integer, String> map)
    {
        final StringBuilder c = new StringBuilder(64 + map.size() * 24);
        c.append("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n")
            .append("/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n")
            .append("/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
        final var entries = map.entrySet().stream().toList();
        for (int i = 0; i < entries.size(); i += 100)
        {
            final var block = entries.subList(i, Math.min(entries.size(), i + 100));
            c.append(block.size()).append(" beginbfchar\n");
            for (final var e : block)
            {
                c.append(String.format(Locale.ROOT, "<%04X> <", e.getKey()));
                for (final byte b : e.getValue().getBytes(StandardCharsets.UTF_16BE))
                {
                    c.append(String.format(Locale.ROOT, "%02X", b & 0xff));
                }
                c.append(">\n");
            }
            c.append("endbfchar\n");
        }
        c.append("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        return c.toString();
    }
}
