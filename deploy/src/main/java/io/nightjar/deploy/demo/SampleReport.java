package io.nightjar.deploy.demo;

import io.nightjar.deploy.Nightjar;

import java.nio.file.Path;

/** Writes the demo's sample threat-landscape report through the report command. */
final class SampleReport
{
    private SampleReport()
    {
    }

    /** Writes a report of [from, to) from the API at {@code base} into {@code out}; returns the command's exit code. */
    static int write(final String base, final Path tokenFile, final String from, final String to, final Path out)
    {
        // --quiet: the demo prints its own steps; the report's warnings and summary line still show
        return Nightjar.commandLine().execute("report", "--from", from, "--to", to, "--out", out.toString(), "--api", base,
            "--token-file", tokenFile.toString(), "--quiet");
    }
}
