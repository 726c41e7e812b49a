package io.nightjar.aggregator.cli;

import io.nightjar.aggregator.auth.Tokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code nightjar token --tokens FILE --organisation NAME [--member-state CC]}: makes an API token
 * for an analyst organisation, adds its SHA-256 to the token file (mode 0600) and prints the token
 * once: only its hash is stored. The aggregator reads the file at start ({@code --tokens}).
 */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = {"Make an API token for an analyst organisation: its SHA-256 is added to the token file,",
        "the token is printed once. Restart the aggregator (or start it with --tokens FILE) to use it."})
public final class TokenCommand implements Callable<Integer>
{
    @Option(names = "--tokens", paramLabel = "YAML", required = true, description = "Token file (created if missing, mode 0600).")
    Path tokens;

    @Option(names = "--organisation", paramLabel = "NAME", required = true, description = "Analyst organisation, e.g. ThaiCERT.")
    String organisation;

    @Option(names = "--member-state", paramLabel = "CC",
        description = "Limit detail to this member state's sensors (ISO 3166 alpha-2); omit for a regional token.")
    String memberState;

    @Override
    public Integer call() throws Exception
    {
        final String token = Tokens.add(tokens, organisation, memberState);
        System.out.println(token);
        System.err.printf("token for %s (%s) added to %s; it is shown only now%n", organisation,
            memberState == null ? "regional" : "member state " + memberState, tokens);
        return 0;
    }
}
