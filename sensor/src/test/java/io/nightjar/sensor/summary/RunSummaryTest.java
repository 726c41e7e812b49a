package io.nightjar.sensor.summary;

import io.nightjar.sensor.capture.LinkType;
import io.nightjar.sensor.classify.Darknet;
import io.nightjar.sensor.flow.FlowPipeline;
import io.nightjar.sensor.flow.FlowTable;
import io.nightjar.sensor.generate.PacketBuilder;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static io.nightjar.sensor.generate.PacketBuilder.SYN;
import static org.assertj.core.api.Assertions.assertThat;

class RunSummaryTest
{
    private static final long SECOND = 1_000_000_000L;

    @Test
    void shouldRankTopPortsByPacketsThenTcpBeforeUdpThenLowerPortLikeAFullSort()
    {
        // few packets per port over many ports, so that most ranks are ties; tcp and udp share port numbers
        final RunSummary summary = new RunSummary();
        final FlowPipeline p = new FlowPipeline(Darknet.parse("198.51.100.0/24"), 60 * SECOND, new FlowTable(16, 100_000, 1_000_000), summary);
        final PacketBuilder b = new PacketBuilder();
        final ByteBuffer buffer = ByteBuffer.allocate(256);
        final SplittableRandom random = new SplittableRandom(17);
        final Map<String, long[]> packets = new HashMap<>();
        final Map<String, Set<Integer>> sources = new HashMap<>();
        long ts = 1_700_000_000L * SECOND;
        for (int i = 0; i < 30_000; i++)
        {
            final int src = 0x0a000000 + random.nextInt(500);
            final boolean udp = random.nextInt(3) == 0;
            final int port = random.nextInt(8) == 0 ? 65535 - random.nextInt(3) : random.nextInt(6000);
            b.reset().ethernet().ipv4(src, 0xc6336400 + random.nextInt(256)).id(random.nextInt(65536));
            if (udp)
            {
                b.udp(4000, port);
            }
            else
            {
                b.tcp(40000, port).flags(SYN);
            }
            buffer.clear();
            final int length = b.writeTo(buffer);
            p.onPacket(buffer, 0, length, length, ts, LinkType.ETHERNET);
            ts += SECOND / 100;
            final String key = (udp ? "udp" : "tcp") + "/" + port;
            packets.computeIfAbsent(key, k -> new long[1])[0]++;
            sources.computeIfAbsent(key, k -> new HashSet<>()).add(src);
        }
        p.finish();

        final List<RunSummary.PortStat> expected = new ArrayList<>();
        packets.forEach((key, n) ->
        {
            final String[] parts = key.split("/");
            expected.add(new RunSummary.PortStat(parts[0], Integer.parseInt(parts[1]), n[0], sources.get(key).size()));
        });
        expected.sort(Comparator.comparingLong(RunSummary.PortStat::packets).reversed()
            .thenComparing(RunSummary.PortStat::proto).thenComparingInt(RunSummary.PortStat::port));
        assertThat(summary.bins()).isGreaterThan(3);
        for (final int limit : new int[] {0, 1, 2, 20, 333, expected.size(), expected.size() + 10, Integer.MAX_VALUE})
        {
            assertThat(summary.topPorts(limit)).as("top %d", limit)
                .containsExactlyElementsOf(expected.subList(0, Math.min(limit, expected.size())));
        }
    }
}
