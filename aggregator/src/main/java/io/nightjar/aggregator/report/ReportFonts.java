package io.nightjar.aggregator.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The fonts embedded in report PDFs, found at run time under the system font directories: Noto
 * Sans (Latin, Vietnamese, Greek, Cyrillic), Noto Sans Thai, and IPAexGothic (Japanese kana and
 * kanji). The HTML and PDF use the CSS chain {@link #CSS_FAMILIES}; openhtmltopdf falls back
 * glyph by glyph along it. A missing font is a warning naming the Debian package. Immutable once found.
 */
public final class ReportFonts
{
    /** The CSS {@code font-family} chain of the report. */
    public static final String CSS_FAMILIES = "'Noto Sans', 'Noto Sans Thai', 'IPAexGothic', sans-serif";

    /** One font file registered with the PDF renderer. */
    public record FontFile(String family, int weight, Path file)
    {
    }

    private record Wanted(String family, int weight, String fileName, String debianPackage)
    {
    }

    private static final List<Wanted> WANTED = List.of(
        new Wanted("Noto Sans", 400, "NotoSans-Regular.ttf", "fonts-noto-core"),
        new Wanted("Noto Sans", 700, "NotoSans-Bold.ttf", "fonts-noto-core"),
        new Wanted("Noto Sans Thai", 400, "NotoSansThai-Regular.ttf", "fonts-noto-core"),
        new Wanted("Noto Sans Thai", 700, "NotoSansThai-Bold.ttf", "fonts-noto-core"),
        new Wanted("IPAexGothic", 400, "ipaexg.ttf", "fonts-ipaexfont-gothic"));

    private final List<FontFile> found;
    private final List<String> warnings;

    private ReportFonts(final List<FontFile> found, final List<String> warnings)
    {
        this.found = List.copyOf(found);
        this.warnings = List.copyOf(warnings);
    }

    /** Looks for the fonts under {@code roots} (default: {@code /usr/share/fonts}, {@code /usr/local/share/fonts}, {@code ~/.local/share/fonts}). */
    public static ReportFonts find(final List<Path> roots)
    {
        final Map<String, Path> byName = new LinkedHashMap<>();
        for (final Path root : roots)
        {
            if (!Files.isDirectory(root))
            {
                continue;
            }
            try (Stream<Path> files = Files.walk(root, 6))
            {
                files.filter(Files::isRegularFile).forEach(p -> byName.putIfAbsent(p.getFileName().toString(), p));
            }
            catch (final IOException | UncheckedIOException ex)
            {
                // an unreadable font directory only means fewer fonts: the warnings below name what is missing
            }
        }
        final List<FontFile> found = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        for (final Wanted w : WANTED)
        {
            final Path p = byName.get(w.fileName());
            if (p != null)
            {
                found.add(new FontFile(w.family(), w.weight(), p));
            }
            else if (w.weight() == 400)
            {
                warnings.add("font " + w.family() + " (" + w.fileName() + ") not found: names in its script may not render in the PDF;"
                    + " install the Debian package " + w.debianPackage());
            }
        }
        return new ReportFonts(found, warnings);
    }

    /** The default font directories of a Debian system. */
    public static List<Path> defaultRoots()
    {
        final List<Path> roots = new ArrayList<>(List.of(Path.of("/usr/share/fonts"), Path.of("/usr/local/share/fonts")));
        final String home = System.getProperty("user.home");
        if (home != null)
        {
            roots.add(Path.of(home, ".local/share/fonts"));
        }
        return roots;
    }

    /** Font files found. */
    public List<FontFile> files()
    {
        return found;
    }

    /** One warning per missing font, naming the package that provides it. */
    public List<String> warnings()
    {
        return warnings;
    }

    /** Sends the warnings to {@code sink}. */
    public void warn(final Consumer<String> sink)
    {
        warnings.forEach(w -> sink.accept("report: warning: " + w));
    }
}
