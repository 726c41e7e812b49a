package io.nightjar.aggregator.ingest;

import io.nightjar.wire.frame.ErrorCode;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The live connection of each sensor: at most one. A new connection of a sensor replaces the
 * older one, and is answered only after the older one is closed (so that everything the older one
 * delivered is already queued for the store).
 */
final class Sessions
{
    private final ConcurrentHashMap<String, SensorSession> bySensor = new ConcurrentHashMap<>();

    /** Makes {@code session} the sensor's connection, then runs {@code then} once any older one is closed. */
    void replace(final String sensorId, final SensorSession session, final Runnable then)
    {
        final SensorSession older = bySensor.put(sensorId, session);
        if (older == null || older == session || !older.channel().isOpen())
        {
            then.run();
            return;
        }
        older.fail(ErrorCode.REPLACED, "a newer connection of sensor " + sensorId + " replaced this one");
        older.channel().closeFuture().addListener(f -> then.run());
    }

    void remove(final String sensorId, final SensorSession session)
    {
        bySensor.remove(sensorId, session);
    }

    /** Sensors connected now. */
    int size()
    {
        return bySensor.size();
    }
}
