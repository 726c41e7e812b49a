package io.nightjar.deploy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.ssl.SslContext;
import io.nightjar.aggregator.Aggregator;
import io.nightjar.aggregator.config.SensorEntry;
import io.nightjar.aggregator.config.SensorRegistry;
import io.nightjar.wire.arrow.BatchSchemas;
import io.nightjar.wire.arrow.FlowBatchBuilder;
import io.nightjar.wire.frame.ErrorCode;
import io.nightjar.wire.frame.Frames;
import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.schema.TrafficClass;
import io.nightjar.wire.tls.TlsContexts;
import io.nightjar.wire.tls.TlsFiles;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sensor port against what BadPeersTest does not cover: TLS versions below 1.2 and weak cipher
 * suites are refused by the server (probed by a JDK client in its own JVM with the JDK's own
 * restrictions lifted), with the network's ECDSA certificate and with an RSA one an operator might
 * bring; a frame trickled in byte by byte is closed although the peer is never silent; and a
 * connection recorded off the wire and replayed by someone without the sensor's key stores nothing.
 */
class SecurityTransportTest
{
    /** TLS 1.2 suites that must never be negotiated: static RSA, CBC (SHA-1 and SHA-2), 3DES, RC4, NULL, EXPORT, anonymous, DHE. */
    private static final List<String> WEAK = List.of("TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        "SSL_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "SSL_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
        "TLS_RSA_WITH_NULL_SHA256", "TLS_ECDHE_ECDSA_WITH_NULL_SHA", "SSL_RSA_EXPORT_WITH_RC4_40_MD5", "TLS_DH_anon_WITH_AES_128_GCM_SHA256",
        "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA");
    /** Of {@link #WEAK}, those every JDK 17 still implements: they must really have been offered and refused. */
    private static final List<String> SURELY_OFFERED = List.of("TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256");

    @TempDir
    static Path dir;
    static Path pki;
    static Path rsa;
    static Aggregator ecdsaServer;
    static Aggregator rsaServer;
    static RootAllocator allocator;

    @BeforeAll
    static void start() throws Exception
    {
        pki = TestPki.network();
        rsa = rsaAggregatorCertificate();
        allocator = new RootAllocator();
        ecdsaServer = aggregator(dir.resolve("ecdsa"), pki.resolve("aggregator.pem"), pki.resolve("aggregator.key"));
        rsaServer = aggregator(dir.resolve("rsa"), rsa.resolve("aggregator-rsa.pem"), rsa.resolve("aggregator-rsa.key"));
    }

    private static Aggregator aggregator(final Path data, final Path cert, final Path key)
    {
        final InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        return new Aggregator(Aggregator.Settings.of(any, null, data, TlsContexts.server(new TlsFiles(cert, key, pki.resolve("ca.pem")), true),
                SensorRegistry.of(List.of(new SensorEntry("s1", "TH", "a", 256), new SensorEntry("s2", "VN", "b", 256))))
            .withMaxFrame(1 << 20).withIdleTimeout(2));
    }

    @AfterAll
    static void stop()
    {
        ecdsaServer.close();
        rsaServer.close();
        allocator.close();
    }

    /** An RSA-2048 server certificate from the network's CA (what an operator's own PKI may issue). */
    private static Path rsaAggregatorCertificate() throws Exception
    {
        final Path out = Files.createDirectories(dir.resolve("rsa-pki"));
        Files.writeString(out.resolve("ext"), "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
            + "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n");
        run(out, "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "aggregator-rsa.key");
        run(out, "openssl", "req", "-new", "-key", "aggregator-rsa.key", "-subj", "/O=Nightjar/CN=localhost", "-out", "aggregator-rsa.csr");
        run(out, "openssl", "x509", "-req", "-in", "aggregator-rsa.csr", "-CA", pki.resolve("ca.pem").toString(), "-CAkey",
            pki.resolve("ca.key").toString(), "-CAcreateserial", "-CAserial", out.resolve("ca.srl").toString(), "-days", "2", "-sha256",
            "-extfile", "ext", "-out", "aggregator-rsa.pem");
        return out;
    }

    private static void run(final Path cwd, final String... cmd) throws Exception
    {
        final Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(String.join(" ", cmd) + ": " + output).isTrue();
    }

    /** Runs {@link TlsProbe} in a JVM whose JDK allows every protocol and suite; probe to its output line. */
    private static Map<String, String> probe(final Aggregator server, final List<String> probes) throws Exception
    {
        final Path security = dir.resolve("probe.security");
        Files.writeString(security, "jdk.tls.disabledAlgorithms=\njdk.certpath.disabledAlgorithms=\n");
        final List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Djava.security.properties=" + security, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
            TlsProbe.class.getName(), "127.0.0.1", Integer.toString(server.ingestAddress().getPort()), pki.resolve("sensors/s1.pem").toString(),
            pki.resolve("sensors/s1.key").toString(), pki.resolve("ca.pem").toString(), "s1"));
        cmd.addAll(probes);
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        final Map<String, String> result = new LinkedHashMap<>();
        for (final String line : output.split("\n"))
        {
            final String[] w = line.split(" ", 3);
            if (w.length >= 2 && probes.contains(w[1]))
            {
                result.put(w[1], line);
            }
        }
        assertThat(result.keySet()).as(output).containsExactlyInAnyOrderElementsOf(probes);
        return result;
    }

    /** The line says the server refused (its alert, or it closed the handshake), not that this client could not offer it. */
    private static void assertRefusedByServer(final String line)
    {
        assertThat(line).startsWith("refused ").doesNotContain("No appropriate protocol").doesNotContain("not supported")
            .containsPattern("Received fatal alert|Remote host terminated|Connection reset|EOFException|closed");
    }

    private static List<String> tls12(final List<String> ciphers)
    {
        return ciphers.stream().map(c -> "TLSv1.2/" + c).toList();
    }

    @Test
    void onlyTls12And13AreAccepted() throws Exception
    {
        for (final Aggregator server : List.of(ecdsaServer, rsaServer))
        {
            final Map<String, String> r = probe(server, List.of("TLSv1/*", "TLSv1.1/*", "TLSv1.2/*", "TLSv1.3/*"));
            assertRefusedByServer(r.get("TLSv1/*"));
            assertRefusedByServer(r.get("TLSv1.1/*"));
            assertThat(r.get("TLSv1.2/*")).startsWith("ok ").contains(" TLSv1.2 ");
            assertThat(r.get("TLSv1.3/*")).startsWith("ok ").contains(" TLSv1.3 ");
        }
    }

    @Test
    void weakCipherSuitesAreRefusedWithAnEcdsaOrAnRsaCertificate() throws Exception
    {
        for (final Aggregator server : List.of(ecdsaServer, rsaServer))
        {
            final Map<String, String> r = probe(server, tls12(WEAK));
            for (final String cipher : WEAK)
            {
                final String line = r.get("TLSv1.2/" + cipher);
                // a suite this JDK lacks, or cannot offer in TLS 1.2 (EXPORT), is never sent: only the others prove anything
                final boolean offered = !line.startsWith("unsupported") && !line.contains("No appropriate protocol");
                if (SURELY_OFFERED.contains(cipher))
                {
                    assertThat(offered).as("this JDK offers " + line).isTrue();
                }
                if (offered)
                {
                    assertRefusedByServer(line);
                }
            }
        }
        assertThat(probe(ecdsaServer, tls12(List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256")))
            .values()).allMatch(l -> l.startsWith("ok "));
        assertThat(probe(rsaServer, tls12(List.of("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")))
            .values()).allMatch(l -> l.startsWith("ok "));
    }

    private static SslContext client(final String id)
    {
        return TlsContexts.client(new TlsFiles(pki.resolve("sensors/" + id + ".pem"), pki.resolve("sensors/" + id + ".key"), pki.resolve("ca.pem")));
    }

    private static byte[] arrowBatch(final String sensor, final int rows)
    {
        try (FlowBatchBuilder b = new FlowBatchBuilder(sensor, allocator))
        {
            for (int i = 0; i < rows; i++)
            {
                b.add(new FlowRecord(0, 60_000_000L, Addresses.parse("192.0.2." + (i + 1)), 6, 23, TrafficClass.TCP_SCAN.id(), 0, null,
                    1, 60, 1, null, 1, 1, 2, 64, 64, 1024, ""));
            }
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            b.writeTo(out);
            return out.toByteArray();
        }
    }

    private static ByteBuf frame(final RawClient c, final long seq, final long position, final byte[] arrow, final int rows)
    {
        return Frames.batchHeader(c.alloc(), new Frames.BatchHeader(seq, position, position, rows), 0, arrow.length).writeBytes(arrow);
    }

    @Test
    void aFrameTrickledInIsClosedThoughThePeerIsNeverSilent() throws Exception
    {
        try (RawClient c = new RawClient(ecdsaServer.ingestAddress(), client("s2")))
        {
            c.send(Frames.hello(c.alloc(), new Frames.Hello("s2", "test", BatchSchemas.VERSION, "spool-s2")));
            final Frames.Ack h = (Frames.Ack)c.next(10);
            final ByteBuf whole = frame(c, h.sequence() + 1, h.position() + 1, arrowBatch("s2", 3), 3);
            final byte[] bytes = new byte[whole.readableBytes()];
            whole.readBytes(bytes).release();
            final long start = System.nanoTime();
            Object answer = null;
            int sent = 0;
            // 5 bytes a second (a gap of 200 ms, well inside the 2-s idle timeout), each its own TLS record
            while (answer == null && sent < bytes.length && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10))
            {
                c.send(new byte[] {bytes[sent++]});
                answer = c.next(0);
                if (answer == null)
                {
                    Thread.sleep(200);
                }
            }
            assertThat(answer).as("after " + sent + " of " + bytes.length + " bytes").isInstanceOf(Frames.ErrorMessage.class);
            final Frames.ErrorMessage error = (Frames.ErrorMessage)answer;
            assertThat(error.code()).isEqualTo(ErrorCode.TIMEOUT);
            assertThat(error.message()).contains("trickles");
            assertThat(sent).isLessThan(bytes.length);
            assertThat((System.nanoTime() - start) / 1e9).isLessThan(8.0);
        }
        try (RawClient good = new RawClient(ecdsaServer.ingestAddress(), client("s2")))
        {
            good.send(Frames.hello(good.alloc(), new Frames.Hello("s2", "test", BatchSchemas.VERSION, "spool-s2")));
            final Frames.Ack h = (Frames.Ack)good.next(10);
            good.send(frame(good, h.sequence() + 1, h.position() + 1, arrowBatch("s2", 2), 2));
            assertThat(good.next(10)).as("a sensor sending at speed is served").isEqualTo(new Frames.Ack(h.sequence() + 1, h.position() + 1));
        }
    }

    @Test
    void aConnectionRecordedOffTheWireAndReplayedWithoutTheKeyStoresNothing() throws Exception
    {
        final long before = ecdsaServer.metrics().flowRecordsStored.sum();
        final byte[] recorded;
        try (RecordingRelay relay = new RecordingRelay(ecdsaServer.ingestAddress()))
        {
            try (RawClient c = new RawClient(relay.address(), client("s1")))
            {
                c.send(Frames.hello(c.alloc(), new Frames.Hello("s1", "test", BatchSchemas.VERSION, "spool-s1")));
                final Frames.Ack h = (Frames.Ack)c.next(10);
                c.send(frame(c, h.sequence() + 1, h.position() + 1, arrowBatch("s1", 5), 5));
                assertThat(c.next(10)).isEqualTo(new Frames.Ack(h.sequence() + 1, h.position() + 1));
            }
            recorded = relay.clientBytes();
        }
        assertThat(ecdsaServer.metrics().flowRecordsStored.sum() - before).isEqualTo(5);
        final long rejected = ecdsaServer.metrics().rejectedConnections.sum();
        try (Socket replay = new Socket())
        {
            replay.connect(ecdsaServer.ingestAddress(), 5000);
            replay.setSoTimeout(10_000);
            final OutputStream out = replay.getOutputStream();
            try
            {
                out.write(recorded);
                out.flush();
            }
            catch (final IOException ex)
            {
                // the server may already have closed after the handshake failed
            }
            final byte[] answer = readUntilClosed(replay.getInputStream());
            // whatever the server sent is TLS records (a new ServerHello, an alert), never a frame in the clear
            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("NJWF");
        }
        assertThat(ecdsaServer.metrics().flowRecordsStored.sum() - before).as("the replay stored nothing").isEqualTo(5);
        // the server counts the rejection on its event loop, possibly just after the client saw the close
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (ecdsaServer.metrics().rejectedConnections.sum() <= rejected && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        assertThat(ecdsaServer.metrics().rejectedConnections.sum()).as("the replay is a rejected connection").isGreaterThan(rejected);
    }

    private static byte[] readUntilClosed(final InputStream in)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final byte[] buf = new byte[8192];
        try
        {
            for (int n; (n = in.read(buf)) >= 0; )
            {
                out.write(buf, 0, n);
            }
        }
        catch (final IOException ex)
        {
            // reset by the server: closed too
        }
        return out.toByteArray();
    }

    /** A loopback TCP relay that keeps every byte the client sent: what an eavesdropper on the link records. */
    private static final class RecordingRelay implements AutoCloseable
    {
        private final ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        private final ByteArrayOutputStream fromClient = new ByteArrayOutputStream();
        private final List<Socket> sockets = new ArrayList<>();
        private final Thread acceptor;

        RecordingRelay(final InetSocketAddress upstream) throws IOException
        {
            acceptor = new Thread(() ->
            {
                try
                {
                    final Socket down = server.accept();
                    final Socket up = new Socket(upstream.getAddress(), upstream.getPort());
                    synchronized (sockets)
                    {
                        sockets.add(down);
                        sockets.add(up);
                    }
                    pump(down, up, true);
                    pump(up, down, false);
                }
                catch (final IOException ex)
                {
                    // closed
                }
            }, "recording-relay");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address()
        {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        private void pump(final Socket from, final Socket to, final boolean record)
        {
            final Thread t = new Thread(() ->
            {
                final byte[] buf = new byte[8192];
                try
                {
                    for (int n; (n = from.getInputStream().read(buf)) >= 0; )
                    {
                        if (record)
                        {
                            synchronized (fromClient)
                            {
                                fromClient.write(buf, 0, n);
                            }
                        }
                        to.getOutputStream().write(buf, 0, n);
                    }
                    to.shutdownOutput();
                }
                catch (final IOException ex)
                {
                    // closed
                }
            }, "recording-relay-pump");
            t.setDaemon(true);
            t.start();
        }

        byte[] clientBytes()
        {
            synchronized (fromClient)
            {
                return fromClient.toByteArray();
            }
        }

        @Override
        public void close() throws IOException
        {
            server.close();
            synchronized (sockets)
            {
                for (final Socket s : sockets)
                {
                    s.close();
                }
            }
        }
    }
}
