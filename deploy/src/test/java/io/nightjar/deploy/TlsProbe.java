package io.nightjar.deploy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.nightjar.wire.arrow.BatchSchemas;
import io.nightjar.wire.frame.Frame;
import io.nightjar.wire.frame.Frames;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * A TLS client of the JDK run in its own JVM by {@code SecurityTransportTest}, with
 * {@code jdk.tls.disabledAlgorithms} emptied for that JVM only, so that it can offer what the JDK
 * would refuse to (TLS 1.0, RC4, NULL...) and a refusal is the server's. Arguments: host, port,
 * sensor certificate, key (PKCS#8 PEM), CA, sensor id, then probes {@code PROTOCOL/CIPHER} (cipher
 * {@code *} = the JDK's defaults for that protocol). Prints one line per probe:
 * {@code ok PROBE NEGOTIATED}, {@code refused PROBE MESSAGE} or {@code unsupported PROBE} (this JDK
 * has no such suite).
 */
final class TlsProbe
{
    private TlsProbe()
    {
    }

    /** Runs the probes given on the command line. */
    public static void main(final String[] args) throws Exception
    {
        final SSLContext ctx = context(Path.of(args[2]), Path.of(args[3]), Path.of(args[4]));
        for (final String probe : Arrays.copyOfRange(args, 6, args.length))
        {
            System.out.println(probe(ctx, args[0], Integer.parseInt(args[1]), args[5], probe));
        }
    }

    private static String probe(final SSLContext ctx, final String host, final int port, final String sensorId, final String probe)
    {
        final String protocol = probe.substring(0, probe.indexOf('/'));
        final String cipher = probe.substring(probe.indexOf('/') + 1);
        try (SSLSocket s = (SSLSocket)ctx.getSocketFactory().createSocket(host, port))
        {
            s.setSoTimeout(10_000);
            if (!Arrays.asList(s.getSupportedCipherSuites()).contains(cipher) && !cipher.equals("*"))
            {
                return "unsupported " + probe;
            }
            s.setEnabledProtocols(new String[] {protocol});
            if (!cipher.equals("*"))
            {
                s.setEnabledCipherSuites(new String[] {cipher});
            }
            try
            {
                s.startHandshake();
                // the handshake is done; the server's answer to HELLO proves it took the client certificate too
                final ByteBuf hello = Frames.hello(ByteBufAllocator.DEFAULT, new Frames.Hello(sensorId, "probe", BatchSchemas.VERSION, "probe"));
                final byte[] bytes = new byte[hello.readableBytes()];
                hello.readBytes(bytes).release();
                s.getOutputStream().write(bytes);
                s.getOutputStream().flush();
                final InputStream in = s.getInputStream();
                final int magic = new DataInputStream(in).readInt();
                return (magic == Frame.MAGIC ? "ok " : "refused ") + probe + " " + s.getSession().getProtocol() + " " + s.getSession().getCipherSuite();
            }
            catch (final Exception ex)
            {
                return "refused " + probe + " " + ex.getClass().getSimpleName() + ": " + ex.getMessage();
            }
        }
        catch (final Exception ex)
        {
            return "refused " + probe + " " + ex.getClass().getSimpleName() + ": " + ex.getMessage();
        }
    }

    private static SSLContext context(final Path cert, final Path key, final Path ca) throws Exception
    {
        final CertificateFactory cf = CertificateFactory.getInstance("X.509");
        final Certificate own;
        try (InputStream in = Files.newInputStream(cert))
        {
            own = cf.generateCertificate(in);
        }
        final byte[] der = Base64.getMimeDecoder().decode(Files.readString(key).replaceAll("-----[A-Z ]+-----", ""));
        final PrivateKey pk = KeyFactory.getInstance(own.getPublicKey().getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(der));
        final KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("sensor", pk, new char[0], new Certificate[] {own});
        final KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(ca))
        {
            trust.setCertificateEntry("ca", cf.generateCertificate(in));
        }
        final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        final SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }
}
