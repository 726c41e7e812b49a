package io.nightjar.aggregator.store;

/**
 * How far a sensor's stream has been applied to the store: the highest batch sequence and the
 * spool position of its last document. Kept in the same transaction as the rows.
 *
 * @param sequence highest applied batch sequence (0 = none).
 * @param position sensor spool position of the last applied document (0 = none).
 * @param batches  batches applied (duplicates not counted).
 * @param spoolId  id of the sensor spool the position belongs to ("" = none yet).
 */
public record Progress(long sequence, long position, long batches, String spoolId)
{
    /** Nothing applied yet. */
    public static final Progress NONE = new Progress(0, 0, 0, "");

    /** The same sequence, positions restarting in a new spool. */
    public Progress inSpool(final String newSpoolId)
    {
        return new Progress(sequence, 0, batches, newSpoolId);
    }
}
