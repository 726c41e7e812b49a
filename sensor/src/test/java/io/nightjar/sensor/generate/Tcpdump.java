package io.nightjar.sensor.generate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test helper: runs the system tcpdump on a file and returns its output lines. Test thread only. */
final class Tcpdump
{
    private static final Path BINARY = findBinary();

    private Tcpdump()
    {
    }

    static boolean available()
    {
        return BINARY != null;
    }

    /** Runs {@code tcpdump -r file <args>} and returns the stdout lines (stderr is reported only on failure). */
    static List<String> run(final Path file, final String... args) throws IOException, InterruptedException
    {
        final List<String> cmd = new ArrayList<>();
        cmd.add(BINARY.toString());
        cmd.add("-r");
        cmd.add(file.toString());
        cmd.addAll(Arrays.asList(args));
        final Path outFile = Files.createTempFile("tcpdump", ".txt");
        final Path errFile = Files.createTempFile("tcpdump", ".err");
        try
        {
            final Process p = new ProcessBuilder(cmd)
                .redirectOutput(outFile.toFile())
                .redirectError(errFile.toFile())
                .start();
            if (!p.waitFor(60, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                throw new IllegalStateException("tcpdump timed out: " + cmd);
            }
            if (p.exitValue() != 0)
            {
                throw new IllegalStateException("tcpdump exited " + p.exitValue() + ": " + cmd + ": " + Files.readString(errFile));
            }
            return Files.readAllLines(outFile, StandardCharsets.ISO_8859_1);
        }
        finally
        {
            Files.deleteIfExists(outFile);
            Files.deleteIfExists(errFile);
        }
    }

    /** Number of packets tcpdump prints for {@code filter} (one line each without -v). */
    static long count(final Path file, final String filter) throws IOException, InterruptedException
    {
        return filter == null ? run(file, "-nn", "-q").size() : run(file, "-nn", "-q", filter).size();
    }

    private static Path findBinary()
    {
        for (final String dir : new String[] {"/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin"})
        {
            final Path p = Path.of(dir, "tcpdump");
            if (Files.isExecutable(p))
            {
                return p;
            }
        }
        return null;
    }
}
