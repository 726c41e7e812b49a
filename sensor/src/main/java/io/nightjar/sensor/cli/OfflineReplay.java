package io.nightjar.sensor.cli;

import io.nightjar.sensor.capture.CaptureDamage;
import io.nightjar.sensor.capture.CaptureFiles;
import io.nightjar.sensor.capture.PacketSource;
import io.nightjar.sensor.flow.FlowPipeline;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays capture files, one after another, through a {@link FlowPipeline}, reporting progress on
 * a terminal (or every few seconds into a log) and collecting the damage found in each file.
 * A file that cannot be opened is an error naming it; a damaged file contributes every complete
 * record before the damage. Runs on the calling thread.
 */
public final class OfflineReplay
{
    private static final int SLICE = 1 << 16;

    private final PrintStream progress;
    private final List<CaptureDamage> damage = new ArrayList<>();
    private long elapsedNanos;

    /** @param progress where progress lines go (stderr), or null for none. */
    public OfflineReplay(final PrintStream progress)
    {
        this.progress = progress;
    }

    /**
     * Replays every file into {@code pipeline} and closes its last bin.
     *
     * @throws IOException naming the file if one cannot be opened or read.
     */
    public void run(final List<Path> files, final FlowPipeline pipeline) throws IOException
    {
        final long start = System.nanoTime();
        final boolean terminal = System.console() != null;
        long nextReport = start + 1_000_000_000L;
        int index = 0;
        for (final Path file : files)
        {
            index++;
            try (PacketSource source = CaptureFiles.open(file))
            {
                while (source.read(pipeline, SLICE) >= 0)
                {
                    final long now = System.nanoTime();
                    if (progress != null && now >= nextReport)
                    {
                        report(terminal, index, files.size(), file, source, pipeline, now - start);
                        nextReport = now + (terminal ? 500_000_000L : 10_000_000_000L);
                    }
                }
                if (source.damage() != null)
                {
                    damage.add(source.damage());
                    if (progress != null)
                    {
                        progress.println((terminal ? "\r" : "") + "warning: " + source.damage());
                    }
                }
            }
        }
        pipeline.finish();
        elapsedNanos = System.nanoTime() - start;
        if (progress != null && terminal && elapsedNanos > 1_000_000_000L)
        {
            progress.print("\r\033[K");
            progress.flush();
        }
    }

    private void report(
        final boolean terminal, final int index, final int count, final Path file, final PacketSource source,
        final FlowPipeline pipeline, final long elapsed)
    {
        final double seconds = elapsed / 1e9;
        final String percent = source.size() > 0 ? String.format(" %3.0f%%", 100.0 * source.filePosition() / source.size()) : "";
        final String line = String.format("file %d/%d %s%s  %,d packets  %.2fM packets/s  %d bins",
            index, count, file.getFileName(), percent, pipeline.packets(), pipeline.packets() / seconds / 1e6, pipeline.binsClosed());
        if (terminal)
        {
            progress.print("\r\033[K" + line);
        }
        else
        {
            progress.println(line);
        }
        progress.flush();
    }

    /** Damage found, one entry per damaged file. */
    public List<CaptureDamage> damage()
    {
        return damage;
    }

    /** Wall time of the last run, ns. */
    public long elapsedNanos()
    {
        return elapsedNanos;
    }
}
