package io.nightjar.deploy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class NightjarTest
{
    @Test
    void shouldOfferHelpOnEveryCommand()
    {
        final CommandLine cl = Nightjar.commandLine();
        assertThat(cl.getSubcommands().keySet()).contains("summarize", "sensor", "generate");
        for (final String name : cl.getSubcommands().keySet())
        {
            if (name.equals("help"))
            {
                continue;
            }
            final StringWriter out = new StringWriter();
            final CommandLine fresh = Nightjar.commandLine();
            fresh.setOut(new PrintWriter(out));
            assertThat(fresh.execute(name, "--help")).as(name).isZero();
            assertThat(out.toString()).as(name).contains("Usage: nightjar " + name);
        }
    }

    @Test
    void shouldReportAnUnreadableFileAsOneLineAndExitTwo()
    {
        final StringWriter err = new StringWriter();
        final CommandLine cl = Nightjar.commandLine();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("summarize", "--quiet", "/nonexistent/dir/x.pcap")).isEqualTo(2);
        assertThat(err.toString()).contains("error").contains("/nonexistent/dir/x.pcap");
    }
}
