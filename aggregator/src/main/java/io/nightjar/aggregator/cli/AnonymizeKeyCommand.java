package io.nightjar.aggregator.cli;

import io.nightjar.aggregator.privacy.CryptoPanKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code nightjar anonymize-key --out FILE}: makes a deployment's Crypto-PAn key (32 random bytes
 * written as 64 hex digits, mode 0600), never overwriting an existing file, and prints its public id.
 * Copy the same file to every aggregator of the deployment ({@code --anonymize-key FILE}).
 */
@Command(name = "anonymize-key", mixinStandardHelpOptions = true,
    description = {"Make a Crypto-PAn key for anonymised exports (64 hex digits, mode 0600; never overwrites).",
        "Give the same file to every aggregator of the deployment with --anonymize-key FILE."})
public final class AnonymizeKeyCommand implements Callable<Integer>
{
    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Key file to create.")
    Path out;

    @Override
    public Integer call() throws Exception
    {
        final CryptoPanKey key = CryptoPanKey.generate(out);
        System.out.println(key.id());
        System.err.printf("Crypto-PAn key written to %s (mode 0600, id %s); keep it secret: it undoes the anonymisation%n", out, key.id());
        return 0;
    }
}
