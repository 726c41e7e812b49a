package io.nightjar.sensor.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where shipping stands in the spool, shared by the spool's writer (which evicts) and the shipper
 * (which reads), so that every document is either taken by the shipper or counted as evicted
 * unshipped, never both and never neither:
 * <ul>
 *   <li>{@code taken}: position (Chronicle index) of the last document the shipper took; documents
 *       taken are held in the shipper's memory until acknowledged.</li>
 *   <li>{@code evictedThrough}: highest position deleted by eviction; the shipper skips those.</li>
 *   <li>{@code acknowledged}: sequence and position the aggregator last acknowledged, persisted in
 *       {@value #FILE} so that a restarted sensor knows where it stood before it reconnects.</li>
 * </ul>
 * Eviction and taking a document happen under one lock.
 *
 * <p>A document evicted while taken but not yet acknowledged exists only in the shipper's memory.
 * Whether the aggregator got it is known only later, so such documents are kept in a ledger
 * ({@value #IN_FLIGHT_FILE}, surviving restarts) until an acknowledgement covers them (stored) or
 * the shipper, holding no copy any more, learns that the aggregator stands before them
 * ({@link #settleInFlight}: lost, counted as evicted unshipped). So stored + evicted unshipped +
 * kept = written, exactly, whatever fails when.
 */
public final class ShipMark
{
    /** File in the spool directory naming the spool (a random UUID made with the spool). */
    public static final String ID_FILE = "spool.id";
    /** File in the spool directory holding the acknowledged sequence and position. */
    public static final String FILE = "shipped.position";
    /** File in the spool directory listing evicted documents still in flight: "lastPosition bins flowRecords" per line. */
    public static final String IN_FLIGHT_FILE = "evicted-in-flight";

    private final Path directory;
    private final String spoolId;
    private final ReentrantLock lock = new ReentrantLock();
    private long taken;
    private long evictedThrough;
    private volatile long acknowledgedSequence;
    private volatile long acknowledgedPosition;
    /** Evicted, taken, unacknowledged: the last position of each evicted run -> {bins, flow records}. */
    private final java.util.TreeMap<Long, long[]> evictedInFlight = new java.util.TreeMap<>();
    private EvictionCounters lostInto;

    private ShipMark(final Path directory, final long sequence, final long position)
    {
        this.directory = directory;
        this.spoolId = spoolId(directory);
        this.acknowledgedSequence = sequence;
        this.acknowledgedPosition = position;
        this.taken = position;
        loadInFlight();
    }

    private void loadInFlight()
    {
        final Path file = directory.resolve(IN_FLIGHT_FILE);
        if (!Files.exists(file))
        {
            return;
        }
        try
        {
            for (final String line : Files.readAllLines(file, StandardCharsets.US_ASCII))
            {
                final String[] f = line.trim().split("\\s+");
                if (f.length == 3)
                {
                    evictedInFlight.put(Long.parseLong(f[0]), new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IllegalStateException("cannot read " + file + " (expected 'position bins flows' lines): " + ex.getMessage(), ex);
        }
    }

    private void saveInFlight()
    {
        final Path file = directory.resolve(IN_FLIGHT_FILE);
        final Path tmp = directory.resolve(IN_FLIGHT_FILE + ".tmp");
        try
        {
            if (evictedInFlight.isEmpty())
            {
                Files.deleteIfExists(file);
                return;
            }
            final StringBuilder sb = new StringBuilder();
            evictedInFlight.forEach((k, v) -> sb.append(k).append(' ').append(v[0]).append(' ').append(v[1]).append('\n'));
            Files.writeString(tmp, sb, StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
    }

    /** Where documents found lost are counted (the spool's eviction counters, saved with them). */
    void countLostInto(final EvictionCounters counters)
    {
        lock.lock();
        try
        {
            this.lostInto = counters;
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Eviction deleted documents taken but not acknowledged, the last at {@code lastPosition} (under {@link #lock}). */
    void evictedInFlight(final long lastPosition, final long bins, final long flowRecords)
    {
        evictedInFlight.merge(lastPosition, new long[] {bins, flowRecords}, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
        saveInFlight();
    }

    /**
     * The shipper holds no copy of anything after {@code aggregatorPosition}, where the aggregator
     * says it stands: evicted documents in flight at or before it were stored, those after it are lost
     * and counted as evicted unshipped.
     */
    public void settleInFlight(final long aggregatorPosition)
    {
        lock.lock();
        try
        {
            if (evictedInFlight.isEmpty())
            {
                return;
            }
            evictedInFlight.headMap(aggregatorPosition, true).clear();
            if (!evictedInFlight.isEmpty() && lostInto != null)
            {
                final long[] lost = inFlightTotals();
                lostInto.addUnshipped(lost[0], lost[1]);
                lostInto.save(directory);
                evictedInFlight.clear();
            }
            saveInFlight();
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Evicted documents whose fate is not known yet: {bins, flow records}. */
    public long[] evictedInFlight()
    {
        lock.lock();
        try
        {
            return inFlightTotals();
        }
        finally
        {
            lock.unlock();
        }
    }

    private long[] inFlightTotals()
    {
        long bins = 0;
        long flows = 0;
        for (final long[] v : evictedInFlight.values())
        {
            bins += v[0];
            flows += v[1];
        }
        return new long[] {bins, flows};
    }

    /** Loads the mark of the spool in {@code directory} (nothing acknowledged if there is no file). */
    public static ShipMark load(final Path directory)
    {
        final Path file = directory.resolve(FILE);
        if (!Files.exists(file))
        {
            return new ShipMark(directory, 0, 0);
        }
        try
        {
            final String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split("\\s+");
            return new ShipMark(directory, Long.parseLong(parts[0]), Long.parseLong(parts[1]));
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IllegalStateException("cannot read " + file + " (expected 'sequence position'): " + ex.getMessage(), ex);
        }
    }

    private static String spoolId(final Path directory)
    {
        final Path file = directory.resolve(ID_FILE);
        try
        {
            if (!Files.exists(file))
            {
                Files.writeString(file, java.util.UUID.randomUUID() + "\n", StandardCharsets.US_ASCII);
            }
            return Files.readString(file, StandardCharsets.US_ASCII).trim();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read or create " + file, ex);
        }
    }

    /** The spool's id: positions are comparable only within one spool. */
    public String spoolId()
    {
        return spoolId;
    }

    /** The lock under which eviction and taking documents happen. */
    ReentrantLock lock()
    {
        return lock;
    }

    /** Position of the last document taken by the shipper (under {@link #lock}). */
    long taken()
    {
        return taken;
    }

    /** Records that eviction deleted everything up to {@code position} (under {@link #lock}). */
    void evictedThrough(final long position)
    {
        evictedThrough = Math.max(evictedThrough, position);
    }

    /**
     * Takes the document at {@code position} for shipping unless eviction deleted it.
     *
     * @return false if the document was evicted (and counted): skip it.
     */
    public boolean take(final long position)
    {
        lock.lock();
        try
        {
            if (position <= evictedThrough)
            {
                return false;
            }
            taken = Math.max(taken, position);
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Gives back everything after {@code position}: the shipper dropped those documents from memory
     * and will read them again from the spool (so eviction must count them if it deletes them).
     */
    public void rewindTo(final long position)
    {
        lock.lock();
        try
        {
            taken = position;
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Records and persists an acknowledgement. */
    public void acknowledged(final long sequence, final long position)
    {
        acknowledgedSequence = sequence;
        acknowledgedPosition = position;
        lock.lock();
        try
        {
            if (!evictedInFlight.isEmpty() && evictedInFlight.firstKey() <= position)
            {
                evictedInFlight.headMap(position, true).clear();
                saveInFlight();
            }
        }
        finally
        {
            lock.unlock();
        }
        final Path tmp = directory.resolve(FILE + ".tmp");
        try
        {
            Files.writeString(tmp, sequence + " " + position + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, directory.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + directory.resolve(FILE), ex);
        }
    }

    /** Last acknowledged batch sequence (0 = none). */
    public long acknowledgedSequence()
    {
        return acknowledgedSequence;
    }

    /** Spool position of the last acknowledged document (0 = none). */
    public long acknowledgedPosition()
    {
        return acknowledgedPosition;
    }
}
