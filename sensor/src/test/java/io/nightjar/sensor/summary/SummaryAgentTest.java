package io.nightjar.sensor.summary;

import io.nightjar.sensor.capture.LinkType;
import io.nightjar.sensor.classify.Darknet;
import io.nightjar.sensor.flow.BinCounters;
import io.nightjar.sensor.flow.BinListener;
import io.nightjar.sensor.flow.FlowPipeline;
import io.nightjar.sensor.flow.FlowTable;
import io.nightjar.sensor.generate.PacketBuilder;
import io.nightjar.wire.schema.TrafficClass;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static io.nightjar.sensor.generate.PacketBuilder.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SummaryAgentTest
{
    private static final long SECOND = 1_000_000_000L;

    /** Many bins of scans and probes from a few hundred sources, ports mostly shared. */
    private static void replay(final BinListener listener)
    {
        final FlowPipeline p = new FlowPipeline(Darknet.parse("198.51.100.0/24"), 60 * SECOND, new FlowTable(16, 100_000, 1_000_000), listener);
        final PacketBuilder b = new PacketBuilder();
        final ByteBuffer buffer = ByteBuffer.allocate(256);
        final SplittableRandom random = new SplittableRandom(11);
        long ts = 1_700_000_000L * SECOND;
        for (int i = 0; i < 200_000; i++)
        {
            final int src = 0x0a000000 + random.nextInt(300);
            final int dst = 0xc6336400 + random.nextInt(256);
            b.reset().ethernet().ipv4(src, dst).id(random.nextInt(4) == 0 ? 54321 : random.nextInt(65536));
            if (random.nextInt(5) == 0)
            {
                b.udp(4000, 53 + random.nextInt(3));
            }
            else
            {
                b.tcp(40000, 1 + random.nextInt(40)).flags(SYN);
            }
            buffer.clear();
            final int length = b.writeTo(buffer);
            p.onPacket(buffer, 0, length, length, ts, LinkType.ETHERNET);
            ts += SECOND / 500;
        }
        p.finish();
    }

    @Test
    void shouldCountTheSameBinsAsTheSummaryInline()
    {
        final RunSummary inline = new RunSummary();
        replay(inline);
        final RunSummary background = new RunSummary();
        try (SummaryAgent agent = new SummaryAgent(background))
        {
            replay(agent);
        }
        assertThat(background.bins()).isEqualTo(inline.bins()).isGreaterThan(5);
        assertThat(background.flows()).isEqualTo(inline.flows());
        assertThat(background.packets()).isEqualTo(inline.packets()).isEqualTo(200_000);
        assertThat(background.classPackets(TrafficClass.TCP_SCAN)).isEqualTo(inline.classPackets(TrafficClass.TCP_SCAN));
        assertThat(background.distinctSources()).isEqualTo(inline.distinctSources()).isEqualTo(300);
        assertThat(background.topPorts(50)).isEqualTo(inline.topPorts(50));
        assertThat(background.scanners()).isEqualTo(inline.scanners());
        assertThat(background.firstNanos()).isEqualTo(inline.firstNanos());
        assertThat(background.lastNanos()).isEqualTo(inline.lastNanos());
    }

    @Test
    void withEventsTheTotalsOnThePipelinesThreadAndTheEventsOnTheAgentsMatchTheSummaryInline()
    {
        final RunSummary inline = new RunSummary(EventSummary.withDefaults(256));
        replay(inline);
        inline.events().finish();
        final RunSummary background = new RunSummary(EventSummary.withDefaults(256));
        try (SummaryAgent agent = new SummaryAgent(background))
        {
            replay(agent);
        }
        background.events().finish();
        assertThat(background.bins()).isEqualTo(inline.bins()).isGreaterThan(5);
        assertThat(background.flows()).isEqualTo(inline.flows());
        assertThat(background.packets()).isEqualTo(inline.packets()).isEqualTo(200_000);
        assertThat(background.distinctSources()).isEqualTo(inline.distinctSources()).isEqualTo(300);
        assertThat(background.topPorts(50)).isEqualTo(inline.topPorts(50));
        assertThat(background.scanners()).isEqualTo(inline.scanners());
        assertThat(inline.events().scanEvents()).as("the replay has scan events to compare").isNotEmpty();
        // records with byte[] addresses: compared field by field, arrays by content
        assertThat(background.events().scanEvents()).usingRecursiveFieldByFieldElementComparator()
            .containsExactlyElementsOf(inline.events().scanEvents());
        assertThat(background.events().dosAttacks()).usingRecursiveFieldByFieldElementComparator()
            .containsExactlyElementsOf(inline.events().dosAttacks());
    }

    @Test
    void shouldRethrowTheAgentsErrorOnCloseWithoutBlockingThePipeline()
    {
        // no summary: the agent's thread fails on the first bin
        final SummaryAgent agent = new SummaryAgent(null);
        final BinCounters counters = new BinCounters();
        final FlowTable table = new FlowTable(16, 100, 1000);
        for (int bin = 0; bin < 10; bin++)
        {
            agent.onBinClosed(bin * 60 * SECOND, 60 * SECOND, counters, table);
        }
        assertThatThrownBy(agent::close).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(agent::close).as("again").isInstanceOf(NullPointerException.class);
    }
}
