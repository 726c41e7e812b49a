package io.nightjar.sensor.capture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test fixture: one row of the shared corpus's {@code reference.csv}, tcpdump's own counts per
 * capture file (packets and the BPF primitives ip, ip6, tcp, udp, icmp, icmp6; the tool's error when
 * it stopped early), read from {@code ${nightjar.shared.dir}/corpus/tcpdump-tests} for the corpus and
 * differential tests.
 */
public record TcpdumpReference(String file, String linkType, long packets, long ipv4, long ipv6, long tcp, long udp, long icmp, long icmp6,
                               String toolError)
{
    /** The corpus directory: {@code nightjar.shared.dir} (set by Surefire), else {@code ../shared}. */
    public static Path corpus()
    {
        return Path.of(System.getProperty("nightjar.shared.dir", "../shared"), "corpus", "tcpdump-tests");
    }

    /** Every row of {@code reference.csv}, its header checked. */
    public static List<TcpdumpReference> load() throws IOException
    {
        final List<String> lines = Files.readAllLines(corpus().resolve("reference.csv"), StandardCharsets.UTF_8);
        assertThat(csvFields(lines.get(0))).containsExactly("file", "linktype", "packets", "ipv4", "ipv6", "tcp", "udp", "icmp", "icmp6",
            "tool_error");
        final List<TcpdumpReference> out = new ArrayList<>();
        for (final String line : lines.subList(1, lines.size()))
        {
            if (!line.isBlank())
            {
                final List<String> f = csvFields(line);
                out.add(new TcpdumpReference(f.get(0), f.get(1), Long.parseLong(f.get(2)), Long.parseLong(f.get(3)), Long.parseLong(f.get(4)),
                    Long.parseLong(f.get(5)), Long.parseLong(f.get(6)), Long.parseLong(f.get(7)), Long.parseLong(f.get(8)), f.get(9)));
            }
        }
        return out;
    }

    /** One CSV line: comma-separated, fields optionally in double quotes with "" for a quote. */
    public static List<String> csvFields(final String line)
    {
        final List<String> fields = new ArrayList<>();
        final StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++)
        {
            final char c = line.charAt(i);
            if (quoted)
            {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"')
                {
                    field.append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.add(field.toString());
                field.setLength(0);
            }
            else
            {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }
}
