package io.nightjar.sensor.generate;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Opens capture output files: plain, or gzip when the name ends in {@code .gz} (deflate level 1,
 * favouring speed: generated captures are large and compress well anyway).
 *
 * <p>Stateless; called once per file on the writer's thread.
 */
final class CaptureFiles
{
    private CaptureFiles()
    {
    }

    static OutputStream open(final Path path) throws IOException
    {
        final OutputStream file = Files.newOutputStream(path);
        if (path.getFileName().toString().endsWith(".gz"))
        {
            return new FastGzip(file);
        }
        return file;
    }

    private static final class FastGzip extends GZIPOutputStream
    {
        FastGzip(final OutputStream out) throws IOException
        {
            super(new BufferedOutputStream(out, 1 << 16), 1 << 16);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }
}
