package io.nightjar.sensor.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.nightjar.sensor.capture.CaptureFileFixtures.HashingHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Differential tests against libpcap on the tcpdump/libpcap test captures (873 files, many malformed) in
 * {@code ${nightjar.shared.dir}/corpus/tcpdump-tests}: packet counts against tcpdump's in
 * {@code reference.csv}, and packet-by-packet against libpcap itself through {@link Pcap4jFileSource}.
 * Every known difference is named below with its reason; a named difference that no longer differs fails
 * the test too, so the lists stay true.
 */
class TcpdumpCorpusTest
{
    /** Files libpcap 1.10.3 refuses that we read, and why. Empty: we refuse all six, each for libpcap's reason. */
    private static final Map<String, String> READ_THOUGH_LIBPCAP_REFUSES = Map.of();

    private static final String SIGNED_SECONDS =
        "seconds field >= 2^31: the pcap format says unsigned (we read 2038-2106), libpcap 1.10 reads it signed (before 1970)";
    private static final String FRACTION_OUT_OF_RANGE =
        "fraction of a second >= 10^6 us / 10^9 ns: we carry it into the seconds; libpcap passes it on and pcap4j " +
        "either truncates it to an int or drops the packet (java.sql.Timestamp.setNanos throws inside its callback)";

    /** Files where libpcap (through pcap4j) delivers different packets than our reader, and why. */
    private static final Map<String, String> DIFFERENT_FROM_LIBPCAP = Map.ofEntries(
        Map.entry("time_2038_overflow.pcap", SIGNED_SECONDS),
        Map.entry("time_2039.pcap", SIGNED_SECONDS),
        Map.entry("time_2106.pcap", SIGNED_SECONDS),
        Map.entry("time_2106_max.pcap", SIGNED_SECONDS),
        Map.entry("bgp_vpn_rt-oobr.pcap", SIGNED_SECONDS),
        Map.entry("olsr-oobr-2.pcap", SIGNED_SECONDS),
        Map.entry("pim_header_asan-2.pcap", SIGNED_SECONDS),
        Map.entry("atm-oam-loopback-print-overrun.pcap", FRACTION_OUT_OF_RANGE),
        Map.entry("rx_serviceid_oobr.pcap", FRACTION_OUT_OF_RANGE),
        Map.entry("timestamp_invalid_micro.pcap", FRACTION_OUT_OF_RANGE),
        Map.entry("timestamp_invalid_nano.pcap", FRACTION_OUT_OF_RANGE));

    private static Path corpus;
    private static List<TcpdumpReference> references;

    /** What one reader made of one file. */
    record Outcome(String refusal, long count, long hash, long contentHash, CaptureDamage damage)
    {
        String describe()
        {
            return refusal != null ? "refused (" + refusal + ")" :
                count + " packets, hash " + Long.toHexString(hash) + (damage == null ? "" : ", damage: " + damage.reason());
        }
    }

    @BeforeAll
    static void loadReference() throws IOException
    {
        final String shared = System.getProperty("nightjar.shared.dir");
        assertThat(shared).as("system property nightjar.shared.dir (set by Surefire)").isNotNull();
        corpus = TcpdumpReference.corpus();
        references = TcpdumpReference.load();
        assertThat(references).hasSize(873);
    }

    @Test
    void shouldCountThePacketsTcpdumpCountsInEveryCorpusFile() throws IOException
    {
        final List<String> differences = new ArrayList<>();
        final TreeSet<String> stillDifferent = new TreeSet<>();
        int refusedLikeLibpcap = 0;
        for (final TcpdumpReference reference : references)
        {
            final Outcome ours = readWithCaptureFiles(corpus.resolve(reference.file()));
            final boolean libpcapRefuses = reference.packets() == 0 && !reference.toolError().isEmpty();
            if (libpcapRefuses)
            {
                if (ours.refusal != null)
                {
                    refusedLikeLibpcap++;
                    continue;
                }
                if (READ_THOUGH_LIBPCAP_REFUSES.containsKey(reference.file()))
                {
                    stillDifferent.add(reference.file());
                    continue;
                }
                differences.add(reference.file() + ": libpcap refuses it (" + reference.toolError() + ") but we read " + ours.describe());
                continue;
            }
            final boolean partial = !reference.toolError().isEmpty();
            if (ours.refusal != null || ours.count != reference.packets() || (ours.damage != null) != partial)
            {
                differences.add(reference.file() + ": tcpdump reads " + reference.packets() + " packets" +
                    (partial ? " then stops (" + reference.toolError() + ")" : "") + ", we: " + ours.describe());
            }
        }
        assertThat(differences).as("files where we differ from tcpdump").isEmpty();
        assertThat(stillDifferent).as("allow-list entries that still differ")
            .containsExactlyInAnyOrderElementsOf(READ_THOUGH_LIBPCAP_REFUSES.keySet());
        assertThat(refusedLikeLibpcap + stillDifferent.size()).isEqualTo(6);
    }

    @Test
    void shouldDeliverExactlyWhatLibpcapDeliversForEveryFileItReads() throws IOException
    {
        final Map<String, String> differences = new TreeMap<>();
        int compared = 0;
        for (final TcpdumpReference reference : references)
        {
            if (!reference.toolError().isEmpty())
            {
                continue;
            }
            final Path file = corpus.resolve(reference.file());
            final Outcome ours = readWithCaptureFiles(file);
            final Outcome libpcap = readWithPcap4j(file);
            compared++;
            if (ours.count != libpcap.count || ours.hash != libpcap.hash || ours.refusal != null || libpcap.refusal != null)
            {
                differences.put(reference.file(), "ours " + ours.describe() + " / libpcap " + libpcap.describe());
                if (DIFFERENT_FROM_LIBPCAP.get(reference.file()) == SIGNED_SECONDS)
                {
                    assertThat(ours.contentHash).as(reference.file() + ": only the timestamps may differ")
                        .isEqualTo(libpcap.contentHash);
                    assertThat(ours.count).as(reference.file()).isEqualTo(libpcap.count);
                }
            }
        }
        final Map<String, String> unexplained = new TreeMap<>(differences);
        unexplained.keySet().removeAll(DIFFERENT_FROM_LIBPCAP.keySet());
        assertThat(unexplained).as("files where our packets differ from libpcap's").isEmpty();
        assertThat(differences.keySet()).as("allow-list entries that still differ")
            .containsExactlyInAnyOrderElementsOf(DIFFERENT_FROM_LIBPCAP.keySet());
        assertThat(compared).isEqualTo(867);
    }

    static Outcome readWithCaptureFiles(final Path file) throws IOException
    {
        try (PacketSource source = CaptureFiles.open(file))
        {
            return drain(source);
        }
        catch (final CaptureFormatException ex)
        {
            return new Outcome(ex.getMessage(), 0, 0, 0, null);
        }
    }

    static Outcome readWithPcap4j(final Path file) throws IOException
    {
        try (PacketSource source = Pcap4jFileSource.open(file))
        {
            return drain(source);
        }
        catch (final CaptureFormatException ex)
        {
            return new Outcome(ex.getMessage(), 0, 0, 0, null);
        }
    }

    private static Outcome drain(final PacketSource source) throws IOException
    {
        final HashingHandler handler = new HashingHandler();
        while (source.read(handler, 64) >= 0)
        {
            // Until the end.
        }
        return new Outcome(null, handler.count, handler.hash, handler.contentHash, source.damage());
    }
}
