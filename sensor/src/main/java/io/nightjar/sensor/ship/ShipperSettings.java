package io.nightjar.sensor.ship;

import io.netty.handler.ssl.SslContext;

import java.time.Duration;

/**
 * How a sensor ships its spool.
 *
 * @param sensorId      this sensor's id (also its certificate's CN or SAN).
 * @param host          aggregator host.
 * @param port          aggregator port.
 * @param tls           client TLS context, or null for plaintext (loopback tests only).
 * @param maxBatchRows  flow records per batch at most.
 * @param linger        how long a partly filled batch waits for more records.
 * @param window        batches in flight (sent, not yet acknowledged) at most.
 * @param heartbeat     interval of HEARTBEAT frames.
 * @param backoffMin    first reconnect delay (doubles per failure, with ±50% jitter).
 * @param backoffMax    largest reconnect delay.
 */
public record ShipperSettings(String sensorId, String host, int port, SslContext tls, int maxBatchRows, Duration linger, int window,
                              Duration heartbeat, Duration backoffMin, Duration backoffMax)
{
    /** Defaults: 32768 records, 200 ms linger, 8 in flight, 10 s heartbeats, 0.1 s .. 30 s backoff. */
    public static ShipperSettings of(final String sensorId, final String host, final int port, final SslContext tls)
    {
        return new ShipperSettings(sensorId, host, port, tls, 32768, Duration.ofMillis(200), 8, Duration.ofSeconds(10),
            Duration.ofMillis(100), Duration.ofSeconds(30));
    }

    /** The same with other reconnect delays. */
    public ShipperSettings withBackoff(final Duration min, final Duration max)
    {
        return new ShipperSettings(sensorId, host, port, tls, maxBatchRows, linger, window, heartbeat, min, max);
    }

    /** The same with another batch size. */
    public ShipperSettings withMaxBatchRows(final int rows)
    {
        return new ShipperSettings(sensorId, host, port, tls, rows, linger, window, heartbeat, backoffMin, backoffMax);
    }
}
