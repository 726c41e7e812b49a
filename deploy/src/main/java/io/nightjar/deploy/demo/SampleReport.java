package io.nightjar.deploy.demo;

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
        // The report command (issue 5) lands separately; until then the demo says so.
        System.out.println("  (the report command is not in this build yet)");
        return 0;
    }
}
