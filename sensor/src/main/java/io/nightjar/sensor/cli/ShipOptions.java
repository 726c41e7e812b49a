package io.nightjar.sensor.cli;

import io.nightjar.sensor.ship.ShipperSettings;
import io.nightjar.wire.tls.HostPort;
import io.nightjar.wire.tls.TlsContexts;
import io.nightjar.wire.tls.TlsFiles;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The sensor's shipping options: where the aggregator is, who this sensor is, and its TLS files. */
public final class ShipOptions
{
    @Option(names = "--aggregator", paramLabel = "HOST:PORT", description = "Ship the spool to this aggregator.")
    String aggregator;

    @Option(names = "--sensor-id", paramLabel = "ID",
        description = "This sensor's id; must be the CN or a SAN of --cert and on the aggregator's allow-list.")
    String sensorId;

    @Option(names = "--cert", paramLabel = "PEM", description = "This sensor's certificate (chain), PEM.")
    Path cert;

    @Option(names = "--key", paramLabel = "PEM", description = "This sensor's private key, PKCS#8 PEM.")
    Path key;

    @Option(names = "--ca", paramLabel = "PEM", description = "CA certificate(s) that signed the aggregator's certificate, PEM.")
    Path ca;

    @Option(names = "--plaintext", description = "No TLS (only to an aggregator on a loopback address, for tests).")
    boolean plaintext;

    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "10m",
        description = "With --read: give up waiting for acknowledgements after this long (default: ${DEFAULT-VALUE}); exit code 3.")
    String deadline;

    @Option(names = "--batch-rows", paramLabel = "N", defaultValue = "32768", description = "Flow records per batch at most (default: ${DEFAULT-VALUE}).")
    int batchRows;

    /**
     * The shipper's settings, or null without {@code --aggregator}.
     *
     * @throws IllegalArgumentException naming the missing or bad option.
     */
    public ShipperSettings settings()
    {
        if (aggregator == null)
        {
            if (sensorId != null || cert != null || key != null || ca != null || plaintext)
            {
                throw new IllegalArgumentException("--sensor-id, --cert, --key, --ca and --plaintext need --aggregator");
            }
            return null;
        }
        final HostPort target = HostPort.parse("--aggregator", aggregator);
        if (sensorId == null || sensorId.isBlank())
        {
            throw new IllegalArgumentException("--aggregator needs --sensor-id");
        }
        if (batchRows < 1)
        {
            throw new IllegalArgumentException("--batch-rows must be at least 1");
        }
        deadlineMillis();
        if (plaintext)
        {
            if (!target.isLoopback())
            {
                throw new IllegalArgumentException("--plaintext is only allowed to a loopback aggregator, not " + target);
            }
            return ShipperSettings.of(sensorId, target.host(), target.port(), null).withMaxBatchRows(batchRows);
        }
        if (cert == null || key == null || ca == null)
        {
            throw new IllegalArgumentException("--aggregator needs --cert, --key and --ca (or --plaintext to a loopback aggregator)");
        }
        return ShipperSettings.of(sensorId, target.host(), target.port(), TlsContexts.client(new TlsFiles(cert, key, ca)))
            .withMaxBatchRows(batchRows);
    }

    /** {@code --deadline} in milliseconds. */
    public long deadlineMillis()
    {
        return PipelineOptions.parseDuration("--deadline", deadline).toMillis();
    }
}
