package io.nightjar.wire.tls;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The PEM files of one side of a mutual-TLS connection: its certificate (chain), its private key
 * (PKCS#8, unencrypted) and the CA certificates it trusts for the peer.
 *
 * @param certificate certificate chain, PEM.
 * @param key         private key, PKCS#8 PEM ("BEGIN PRIVATE KEY").
 * @param ca          trusted CA certificates, PEM.
 */
public record TlsFiles(Path certificate, Path key, Path ca)
{
    /**
     * Checks that the three files are readable.
     *
     * @throws IllegalArgumentException naming the option and the file that is missing.
     */
    public TlsFiles requireReadable()
    {
        check("--cert", certificate);
        check("--key", key);
        check("--ca", ca);
        return this;
    }

    private static void check(final String option, final Path file)
    {
        if (file == null)
        {
            throw new IllegalArgumentException(option + " is required for TLS");
        }
        if (!Files.isReadable(file))
        {
            throw new IllegalArgumentException(option + ": cannot read " + file);
        }
    }
}
