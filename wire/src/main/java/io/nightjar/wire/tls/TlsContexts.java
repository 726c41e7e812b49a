package io.nightjar.wire.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;

/**
 * Builds Netty TLS contexts for the sensor-aggregator link from {@link TlsFiles}: TLS 1.3 and 1.2
 * only, with forward-secret AEAD cipher suites only ({@link #CIPHERS}), BoringSSL (netty-tcnative)
 * when it loads, else the JDK provider. The server requires a client certificate signed by its CA;
 * the client verifies the server's certificate and host name.
 */
public final class TlsContexts
{
    /** The protocol versions offered and accepted. */
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /**
     * The cipher suites offered and accepted: the TLS 1.3 suites, and for TLS 1.2 only ECDHE key
     * exchange with AES-GCM or ChaCha20-Poly1305. Netty's default list also has static-RSA key
     * exchange and CBC-SHA1 suites, which an RSA certificate would make usable.
     */
    public static final java.util.List<String> CIPHERS = java.util.List.of(
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private TlsContexts()
    {
    }

    /** The provider in use: OpenSSL (BoringSSL) if available, else JDK. */
    public static SslProvider provider()
    {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /**
     * A server context.
     *
     * @param requireClientCertificate true for mutual TLS (the default of the aggregator).
     */
    public static SslContext server(final TlsFiles files, final boolean requireClientCertificate)
    {
        files.requireReadable();
        try
        {
            return SslContextBuilder.forServer(files.certificate().toFile(), files.key().toFile())
                .trustManager(files.ca().toFile())
                .clientAuth(requireClientCertificate ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL)
                .sslProvider(provider())
                .protocols(PROTOCOLS)
                .ciphers(CIPHERS)
                .build();
        }
        catch (final SSLException | IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("cannot load TLS files " + files + ": " + ex.getMessage(), ex);
        }
    }

    /** A client context presenting the sensor's certificate and trusting the aggregator's CA. */
    public static SslContext client(final TlsFiles files)
    {
        files.requireReadable();
        try
        {
            return SslContextBuilder.forClient()
                .keyManager(files.certificate().toFile(), files.key().toFile())
                .trustManager(files.ca().toFile())
                .endpointIdentificationAlgorithm("HTTPS")
                .sslProvider(provider())
                .protocols(PROTOCOLS)
                .ciphers(CIPHERS)
                .build();
        }
        catch (final SSLException | IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("cannot load TLS files " + files + ": " + ex.getMessage(), ex);
        }
    }
}
