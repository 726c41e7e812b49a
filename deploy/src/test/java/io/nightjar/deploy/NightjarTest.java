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
    void shouldBuildOnlyTheNamedCommandWithTheSameUsageAsInTheWholeTree()
    {
        final CommandLine whole = Nightjar.commandLine();
        for (final String name : whole.getSubcommands().keySet())
        {
            if (name.equals("help"))
            {
                continue;
            }
            final CommandLine one = Nightjar.commandLine(new String[] {name, "--help"});
            assertThat(one.getSubcommands().keySet()).as(name).containsExactly(name, "help");
            assertThat(usage(one.getSubcommands().get(name))).as(name).isEqualTo(usage(whole.getSubcommands().get(name)));
            assertThat(one.getSubcommands().get(name).getCommandSpec().options().size()).as(name)
                .isEqualTo(whole.getSubcommands().get(name).getCommandSpec().options().size());
        }
        // no name, an option first, or an unknown name: the whole tree, so that the usage lists every command
        for (final String[] args : new String[][] {{}, {"--help"}, {"help", "summarize"}, {"bogus"}})
        {
            assertThat(Nightjar.commandLine(args).getSubcommands().keySet()).as(String.join(" ", args))
                .containsExactlyElementsOf(whole.getSubcommands().keySet());
        }
        assertThat(whole.getSubcommands().keySet()).last().isEqualTo("help");
    }

    private static String usage(final CommandLine cl)
    {
        final StringWriter out = new StringWriter();
        cl.usage(new PrintWriter(out));
        return out.toString();
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
