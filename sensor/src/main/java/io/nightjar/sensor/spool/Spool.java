package io.nightjar.sensor.spool;

import io.nightjar.sensor.clock.SensorClock;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.io.File;
import java.nio.file.Path;

/**
 * Where and how the spool lives on disk: a Chronicle Queue with hourly cycle files
 * ({@code yyyyMMdd-HH'F'.cq4}) in the spool directory. Shared by the writer and readers.
 */
public final class Spool
{
    /** One cycle file per hour: the unit of eviction. */
    public static final RollCycles ROLL_CYCLE = RollCycles.FAST_HOURLY;

    private Spool()
    {
    }

    /**
     * Opens the queue in {@code directory}; {@code timeProvider} may be null for the sensor's wall
     * clock ({@link SensorClock}: the system clock unless a test offsets it).
     */
    public static SingleChronicleQueue open(final Path directory, final TimeProvider timeProvider)
    {
        final SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(directory).rollCycle(ROLL_CYCLE);
        if (timeProvider != null)
        {
            builder.timeProvider(timeProvider);
        }
        else if (!SensorClock.INSTANCE.isSystemClock())
        {
            builder.timeProvider(SensorClock.INSTANCE);
        }
        return builder.build();
    }

    /** The file that holds {@code cycle} (named by the roll cycle's format, epoch 0, UTC). */
    public static File cycleFile(final Path directory, final int cycle)
    {
        final String name = java.time.format.DateTimeFormatter.ofPattern(ROLL_CYCLE.format()).withZone(java.time.ZoneOffset.UTC)
            .format(java.time.Instant.ofEpochMilli((long)cycle * ROLL_CYCLE.lengthInMillis()));
        return directory.resolve(name + ".cq4").toFile();
    }
}
