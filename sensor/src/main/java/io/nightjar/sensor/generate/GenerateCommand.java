package io.nightjar.sensor.generate;

import io.nightjar.sensor.capture.LinkType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code nightjar generate}: writes a deterministic synthetic darknet capture (see
 * {@link TrafficGenerator}) as pcap or pcapng, optionally gzip-compressed, and optionally its
 * ground truth as JSON. Registered as a subcommand of the top-level command; {@link #main} runs it
 * standalone.
 *
 * <p>Runs on the caller's thread. Progress goes to stderr about every two seconds; the one-line
 * summary (packets, bytes, seconds, packets/s) goes to stdout.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = {
        "Generate deterministic synthetic darknet traffic (scans, ZMap/Masscan/Mirai-like scanners, backscatter, "
            + "UDP/ICMP probes, IPv6, VLAN, fragments, other protocols, ARP, a few malformed frames) as Ethernet frames.",
        "Same seed and options give a byte-identical file. Default darknets are documentation prefixes: "
            + "198.51.100.0/24 (TEST-NET-2, RFC 5737) and 2001:db8:dead::/48 (RFC 3849)."})
public final class GenerateCommand implements Callable<Integer>
{
    @Option(names = "--packets", required = true, description = "Number of packets to write.")
    long packets;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--darknet", defaultValue = TrafficGenerator.DEFAULT_DARKNETS,
        description = "Darknet prefixes, comma-separated; IPv4 required, IPv6 optional (no IPv6 prefix: no IPv6 traffic). "
            + "Default: ${DEFAULT-VALUE}.")
    String darknet;

    @Option(names = "--out", required = true, description = "Output capture file; a .gz suffix gzips it.")
    Path out;

    @Option(names = "--format", defaultValue = "pcap", description = "pcap or pcapng (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--start", defaultValue = "2024-06-01T00:00:00Z",
        description = "Timestamp of the first packet, ISO-8601 instant (default: ${DEFAULT-VALUE}).")
    Instant start;

    @Option(names = "--rate", defaultValue = "3000", description = "Mean packets per second of capture time (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--snaplen", defaultValue = "262144", description = "Snapshot length in bytes (default: ${DEFAULT-VALUE}).")
    int snaplen;

    @Option(names = "--nanos", description = "Nanosecond timestamps (pcap magic 0xa1b23c4d / pcapng if_tsresol 9).")
    boolean nanos;

    @Option(names = "--big-endian", description = "Write the file headers big-endian.")
    boolean bigEndian;

    @Option(names = "--vlan-share", defaultValue = "0.02", description = "Share of 802.1Q-tagged frames (default: ${DEFAULT-VALUE}).")
    double vlanShare;

    @Option(names = "--qinq-share", defaultValue = "0.002", description = "Share of QinQ frames (default: ${DEFAULT-VALUE}).")
    double qinqShare;

    @Option(names = "--malformed-share", defaultValue = "0.001", description = "Share of malformed frames (default: ${DEFAULT-VALUE}).")
    double malformedShare;

    @Option(names = "--ipv6-share", defaultValue = "0.02", description = "Share of IPv6 packets (default: ${DEFAULT-VALUE}).")
    double ipv6Share;

    @Option(names = "--truth", description = "Write the generator's ground truth as JSON to this file.")
    Path truth;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command standalone and exits with its code. */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new GenerateCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception
    {
        final TrafficGenerator.Config config;
        try
        {
            if (!"pcap".equals(format) && !"pcapng".equals(format))
            {
                throw new IllegalArgumentException("--format must be pcap or pcapng, got '" + format + "'");
            }
            config = new TrafficGenerator.Config()
                .packets(packets).seed(seed).darknets(darknet).start(start).rate(rate).snaplen(snaplen)
                .vlanShare(vlanShare).qinqShare(qinqShare).malformedShare(malformedShare).ipv6Share(ipv6Share)
                .conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        final PrintWriter err = spec.commandLine().getErr();
        final ByteOrder order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        final long t0 = System.nanoTime();
        final long[] lastReport = {t0};
        final GroundTruth result;
        final long fileBytes;
        final TrafficGenerator generator = new TrafficGenerator(config);
        try (CaptureWriter w = openWriter(order))
        {
            result = generator.run(w, (done, total) ->
            {
                final long now = System.nanoTime();
                if (now - lastReport[0] >= 2_000_000_000L)
                {
                    lastReport[0] = now;
                    err.printf(Locale.ROOT, "generate: %,d / %,d packets (%.0f%%), %.1f s%n",
                        done, total, 100.0 * done / total, (now - t0) / 1e9);
                    err.flush();
                }
            });
            fileBytes = w.fileBytes();
        }
        if (truth != null)
        {
            result.writeJson(truth);
        }
        final double secs = (System.nanoTime() - t0) / 1e9;
        spec.commandLine().getOut().printf(Locale.ROOT,
            "generate: %d packets, %d wire bytes, %d file bytes (uncompressed) to %s in %.2f s, %.0f packets/s%n",
            result.packets(), result.wireBytes(), fileBytes, out, secs, result.packets() / Math.max(secs, 1e-9));
        spec.commandLine().getOut().flush();
        return 0;
    }

    private CaptureWriter openWriter(final ByteOrder order) throws java.io.IOException
    {
        if ("pcap".equals(format))
        {
            return PcapWriter.open(out, LinkType.ETHERNET, snaplen, nanos, order);
        }
        final PcapngWriter w = PcapngWriter.open(out, order);
        w.addInterface(LinkType.ETHERNET, snaplen, nanos ? 9 : 6);
        return w;
    }
}
