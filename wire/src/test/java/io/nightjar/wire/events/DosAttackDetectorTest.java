package io.nightjar.wire.events;

import io.nightjar.wire.schema.Addresses;
import io.nightjar.wire.schema.BackscatterDetail;
import io.nightjar.wire.schema.FlowRecord;
import io.nightjar.wire.schema.TrafficClass;
import io.nightjar.wire.sketch.DistinctSketch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class DosAttackDetectorTest
{
    private static final long S = 1_000_000L;
    private static final long BIN = 60 * S;
    private static final int BACKSCATTER = TrafficClass.BACKSCATTER.id();

    private final List<DosAttack> attacks = new ArrayList<>();

    private DosAttackDetector detector()
    {
        return new DosAttackDetector(DosAttackDetector.Params.defaults(), attacks::add);
    }

    /** A packet of a backscatter flow: its time, µs, and the darknet destination it reached. */
    private record Packet(long micros, String dst)
    {
    }

    private static List<Packet> packets(final long fromMicros, final long stepMicros, final int n, final String dst)
    {
        final List<Packet> out = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            out.add(new Packet(fromMicros + i * stepMicros, dst));
        }
        return out;
    }

    @SafeVarargs
    private static List<Packet> concat(final List<Packet>... lists)
    {
        final List<Packet> out = new ArrayList<>();
        for (final List<Packet> l : lists)
        {
            out.addAll(l);
        }
        return out;
    }

    /**
     * The flow records a sensor with 60-s bins makes of these packets, as its flow table does: per
     * bin, packets per 10-s slot and the sketch of the destinations' /16 prefixes.
     */
    private static List<FlowRecord> records(
        final String src, final int protocol, final int port, final String victim, final List<Packet> packets)
    {
        final TreeMap<Long, List<Packet>> byBin = new TreeMap<>();
        for (final Packet p : packets)
        {
            byBin.computeIfAbsent(Math.floorDiv(p.micros(), BIN) * BIN, b -> new ArrayList<>()).add(p);
        }
        final List<FlowRecord> out = new ArrayList<>();
        byBin.forEach((bin, ps) ->
        {
            final int[] slots = new int[6];
            final DistinctSketch prefixes = new DistinctSketch();
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (final Packet p : ps)
            {
                slots[(int)((p.micros() - bin) / BackscatterDetail.SLOT_MICROS)]++;
                final byte[] d = Addresses.parse(p.dst());
                prefixes.add(BackscatterDetail.prefixHash(Addresses.hi(d), Addresses.lo(d)));
                first = Math.min(first, p.micros());
                last = Math.max(last, p.micros());
            }
            out.add(new FlowRecord(bin, BIN, Addresses.parse(src), protocol, port, BACKSCATTER, 0,
                victim == null ? null : Addresses.parse(victim), ps.size(), ps.size() * 60L, 1, null, first, last,
                0x12, 50, 50, 29200, "", BackscatterDetail.encodeSlots(slots, 0, 6), prefixes.toBytes()));
        });
        return out;
    }

    private static void feed(final DosAttackDetector d, final List<FlowRecord> records, final String sensor)
    {
        for (final FlowRecord r : records)
        {
            d.add(r, sensor);
        }
    }

    @Test
    void shouldReportAnAttackWithItsFields()
    {
        final DosAttackDetector d = detector();
        // 40 SYN-ACKs from 203.0.113.5:80 over 78 s, 2 per 2 s (30 in the first 60 s)
        feed(d, records("203.0.113.5", 6, 80, null, packets(0, 2 * S, 40, "198.51.100.7")), "a");
        d.finish();
        assertThat(attacks).hasSize(1);
        final DosAttack a = attacks.get(0);
        assertThat(a.victimText()).isEqualTo("203.0.113.5");
        assertThat(a.protocol()).isEqualTo(6);
        assertThat(a.startMicros()).isZero();
        assertThat(a.endMicros()).isEqualTo(78 * S);
        assertThat(a.packets()).isEqualTo(40);
        assertThat(a.ports()).isEqualTo(1);
        assertThat(a.attackerSlash16()).isEqualTo(1);
        assertThat(a.peakWindowPackets()).isEqualTo(30);
        assertThat(a.peakRate()).isEqualTo(0.5);
        assertThat(a.sensors()).containsExactly("a");
    }

    @Test
    void shouldReportTwentyFivePacketsAndNotTwentyFour()
    {
        // the window threshold off, so that the packet threshold alone decides
        final DosAttackDetector.Params p = new DosAttackDetector.Params(300 * S, 25, 60 * S, 60 * S, 0);
        final DosAttackDetector d = new DosAttackDetector(p, attacks::add);
        // 25 packets over 72 s (3 s apart) and 24 over 69 s, each at least 60 s long
        feed(d, interleave(records("203.0.113.5", 6, 80, null, packets(0, 3 * S, 25, "198.51.100.7")),
            records("203.0.113.6", 6, 80, null, packets(0, 3 * S, 24, "198.51.100.7"))), "a");
        d.finish();
        assertThat(attacks).extracting(DosAttack::victimText).containsExactly("203.0.113.5");
    }

    @Test
    void shouldReportADurationOfSixtySecondsAndNotJustBelow()
    {
        final DosAttackDetector d = detector();
        // 31 packets 2 s apart: 0 .. 60 s exactly; the other ends 1 µs earlier
        final List<Packet> exactly = packets(0, 2 * S, 31, "198.51.100.7");
        final List<Packet> shorter = packets(0, 2 * S, 30, "198.51.100.7");
        shorter.add(new Packet(60 * S - 1, "198.51.100.7"));
        feed(d, interleave(records("203.0.113.5", 6, 80, null, exactly), records("203.0.113.6", 6, 80, null, shorter)), "a");
        d.finish();
        assertThat(attacks).extracting(DosAttack::victimText).containsExactly("203.0.113.5");
        assertThat(attacks.get(0).endMicros() - attacks.get(0).startMicros()).isEqualTo(60 * S);
    }

    /** Records of two flows in bin order (as a store would return them). */
    private static List<FlowRecord> interleave(final List<FlowRecord> a, final List<FlowRecord> b)
    {
        final List<FlowRecord> out = new ArrayList<>(a);
        out.addAll(b);
        out.sort((x, y) -> Long.compare(x.binStartMicros(), y.binStartMicros()));
        return out;
    }

    @ParameterizedTest(name = "{0} packets in the busiest window -> reported: {1}")
    @CsvSource({"30, true", "29, false"})
    void shouldNeedThirtyPacketsInSomeSixtySecondWindow(final int inWindow, final boolean reported)
    {
        final DosAttackDetector d = detector();
        // inWindow packets within 50 s, then one every 40 s until 200 s: no other window comes close,
        // and the attack lasts long enough with enough packets
        final List<Packet> ps = concat(packets(0, S, inWindow, "198.51.100.7"), packets(80 * S, 40 * S, 4, "198.51.100.7"));
        feed(d, records("203.0.113.5", 6, 80, null, ps), "a");
        d.finish();
        assertThat(!attacks.isEmpty()).isEqualTo(reported);
        if (reported)
        {
            assertThat(attacks.get(0).peakWindowPackets()).isEqualTo(inWindow);
        }
    }

    @ParameterizedTest(name = "window straddling two bins with {0} packets -> reported: {1}")
    @CsvSource({"15, true", "14, false"})
    void shouldCountAWindowThatStraddlesTwoBins(final int inSecondBin, final boolean reported)
    {
        final DosAttackDetector d = detector();
        // bin 0: 1 packet at 0 s, 15 in 50..59 s; bin 1: inSecondBin in 60..69 s. The window
        // [10 s, 70 s) holds 15 + inSecondBin; [0, 60) holds 16; the attack lasts 65 s.
        final List<Packet> ps = concat(packets(0, S, 1, "198.51.100.7"), packets(50 * S, S / 2, 15, "198.51.100.7"),
            packets(60 * S, S / 4, inSecondBin - 1, "198.51.100.7"), packets(65 * S, S, 1, "198.51.100.7"));
        final List<FlowRecord> rs = records("203.0.113.5", 6, 80, null, ps);
        assertThat(rs).hasSize(2);
        feed(d, rs, "a");
        d.finish();
        assertThat(!attacks.isEmpty()).isEqualTo(reported);
        if (reported)
        {
            assertThat(attacks.get(0).peakWindowPackets()).isEqualTo(30);
            assertThat(attacks.get(0).peakRate()).isEqualTo(0.5);
        }
    }

    @ParameterizedTest(name = "gap {0} s -> {1} attack(s)")
    @CsvSource({"299, 1", "300, 1", "301, 2"})
    void shouldEndAnAttackOnlyAfterMoreThan300SecondsWithoutAPacket(final long gapSeconds, final int expected)
    {
        final DosAttackDetector d = detector();
        // two bursts of 40 packets over 78 s, the second starting gapSeconds after the first's last packet
        final List<Packet> first = packets(0, 2 * S, 40, "198.51.100.7");
        final long start2 = 78 * S + gapSeconds * S;
        final List<Packet> second = packets(start2, 2 * S, 40, "198.51.100.9");
        feed(d, records("203.0.113.5", 6, 80, null, concat(first, second)), "a");
        d.finish();
        assertThat(attacks).hasSize(expected);
        if (expected == 1)
        {
            assertThat(attacks.get(0).packets()).isEqualTo(80);
            assertThat(attacks.get(0).endMicros()).isEqualTo(start2 + 78 * S);
        }
        else
        {
            assertThat(attacks.get(0).endMicros()).isEqualTo(78 * S);
            assertThat(attacks.get(1).startMicros()).isEqualTo(start2);
            assertThat(attacks).extracting(DosAttack::packets).containsExactly(40L, 40L);
        }
    }

    @Test
    void shouldTakeTheVictimOfAnIcmpErrorFromTheQuotedIpv6Header()
    {
        final DosAttackDetector d = detector();
        // ICMPv6 destination unreachable (1/4) from a router, quoting a packet to 2001:db8:beef::5
        feed(d, records("2001:db8:1::1", 58, 1 << 8 | 4, "2001:db8:beef::5", packets(0, 2 * S, 40, "2001:db8:dead::7")), "a");
        d.finish();
        assertThat(attacks).singleElement().satisfies(a ->
        {
            assertThat(a.victimText()).isEqualTo("2001:db8:beef::5");
            assertThat(a.protocol()).isEqualTo(58);
            assertThat(a.ports()).isZero();
            assertThat(a.attackerSlash16()).isEqualTo(1);
        });
    }

    @Test
    void shouldMergeRoutersQuotingTheSameVictimIntoOneAttack()
    {
        final DosAttackDetector d = detector();
        // two routers report errors for the same victim, 20 packets 4 s apart each: one attack of 40,
        // 30 of them in [0, 60 s), lasting 77 s
        feed(d, interleave(records("192.0.2.1", 1, 3 << 8 | 1, "203.0.113.5", packets(0, 4 * S, 20, "198.51.100.7")),
            records("192.0.2.2", 1, 11 << 8, "203.0.113.5", packets(S, 4 * S, 20, "198.51.100.8"))), "a");
        d.finish();
        assertThat(attacks).singleElement().satisfies(a ->
        {
            assertThat(a.victimText()).isEqualTo("203.0.113.5");
            assertThat(a.packets()).isEqualTo(40);
            assertThat(a.peakWindowPackets()).isEqualTo(30);
        });
    }

    @Test
    void shouldMergeAVictimSeenByTwoSensorsCountingSharedSlash16sOnce()
    {
        final DosAttackDetector d = detector();
        // sensor a: 15 packets to 198.51/16 in 0..15 s; sensor b: 15 to 198.51/16 and 10 to 100.64/16
        // in the same window: 40 packets, 30+ in one window only together, 2 attacker /16s
        final List<FlowRecord> a = records("203.0.113.5", 6, 443, null,
            concat(packets(0, S, 15, "198.51.100.7"), packets(70 * S, S, 1, "198.51.100.7")));
        final List<FlowRecord> b = records("203.0.113.5", 6, 80, null,
            concat(packets(20 * S, S, 15, "198.51.101.9"), packets(40 * S, S, 10, "100.64.0.1")));
        final List<Object[]> tagged = new ArrayList<>();
        a.forEach(r -> tagged.add(new Object[] {r, "a"}));
        b.forEach(r -> tagged.add(new Object[] {r, "b"}));
        tagged.sort((x, y) -> Long.compare(((FlowRecord)x[0]).binStartMicros(), ((FlowRecord)y[0]).binStartMicros()));
        for (final Object[] t : tagged)
        {
            d.add((FlowRecord)t[0], (String)t[1]);
        }
        d.finish();
        assertThat(attacks).singleElement().satisfies(x ->
        {
            assertThat(x.packets()).isEqualTo(41);
            assertThat(x.attackerSlash16()).isEqualTo(2);
            assertThat(x.ports()).isEqualTo(2);
            assertThat(x.peakWindowPackets()).isEqualTo(40);
            assertThat(x.sensors()).containsExactly("a", "b");
            assertThat(x.endMicros()).isEqualTo(70 * S);
        });
    }

    @Test
    void shouldIgnoreRecordsThatAreNotBackscatter()
    {
        final DosAttackDetector d = detector();
        final byte[] src = Addresses.parse("203.0.113.5");
        d.add(0, Addresses.hi(src), Addresses.lo(src), 6, 80, TrafficClass.TCP_SCAN.id(), false, 0, 0, 1000, 0, 100 * S, null, null, "a");
        d.finish();
        assertThat(attacks).isEmpty();
    }

    @Test
    void shouldCountARecordWithoutSlotsInTheSlotOfItsFirstPacket()
    {
        final DosAttackDetector d = detector();
        final byte[] src = Addresses.parse("203.0.113.5");
        // one 5-minute record without slot detail: its 100 packets count in one window
        d.add(0, Addresses.hi(src), Addresses.lo(src), 6, 80, BACKSCATTER, false, 0, 0, 100, 5 * S, 250 * S, null, null, null);
        d.finish();
        assertThat(attacks).singleElement().satisfies(a ->
        {
            assertThat(a.peakWindowPackets()).isEqualTo(100);
            assertThat(a.attackerSlash16()).isZero();
            assertThat(a.sensors()).isEmpty();
        });
    }

    @Test
    void shouldKeepCountingWindowsAcrossALongAttack()
    {
        // a 2-hour attack at 1 packet / 10 s, with one burst of 35 in the 91st minute: the windows are
        // settled bin by bin as data time passes, and the burst is still found
        final DosAttackDetector d = detector();
        final List<Packet> ps = concat(packets(0, 10 * S, 720, "198.51.100.7"), packets(5400 * S + 1, S, 35, "198.51.100.8"));
        ps.sort((x, y) -> Long.compare(x.micros(), y.micros()));
        feed(d, records("203.0.113.5", 6, 80, null, ps), "a");
        d.finish();
        assertThat(attacks).singleElement().satisfies(a ->
        {
            assertThat(a.packets()).isEqualTo(755);
            assertThat(a.peakWindowPackets()).isEqualTo(35 + 6);
        });
    }

    @Test
    void shouldReportEachOfManyAttacksOnceAsSoonAsDataTimePassesItsGap()
    {
        // 50 victims; victim i is attacked from bin i for two minutes at 1 packet/s: the attacks end at
        // different data times and each must be reported by the first advanceTo more than 300 s after its last packet
        final DosAttackDetector d = detector();
        final TreeMap<Long, List<FlowRecord>> byBin = new TreeMap<>();
        final long[] lastPacket = new long[50];
        for (int i = 0; i < 50; i++)
        {
            final List<Packet> ps = packets(i * BIN, S, 120, "198.51.100." + (i + 1));
            lastPacket[i] = ps.get(ps.size() - 1).micros();
            for (final FlowRecord r : records("203.0.113." + (i + 1), 6, 80, null, ps))
            {
                byBin.computeIfAbsent(r.binStartMicros(), b -> new ArrayList<>()).add(r);
            }
        }
        for (final long bin : byBin.keySet())
        {
            feed(d, byBin.get(bin), "a");
            final long now = bin + BIN;
            d.advanceTo(now);
            long ended = 0;
            for (final long last : lastPacket)
            {
                ended += now - last > DosAttackDetector.Params.DEFAULT_GAP_MICROS ? 1 : 0;
            }
            assertThat(attacks).as("attacks reported at %d s", now / S).hasSize((int)ended);
        }
        d.advanceTo(byBin.lastKey() + BIN + 301 * S);
        assertThat(d.openAttacks()).isZero();
        d.finish();
        assertThat(attacks).hasSize(50).allSatisfy(a ->
        {
            assertThat(a.packets()).isEqualTo(120);
            assertThat(a.peakWindowPackets()).isEqualTo(60);
        });
        assertThat(attacks.stream().map(DosAttack::victimText).distinct()).hasSize(50);
    }
}
