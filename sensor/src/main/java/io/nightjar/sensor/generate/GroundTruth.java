package io.nightjar.sensor.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nightjar.wire.schema.ScannerTool;
import io.nightjar.wire.schema.TrafficClass;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The traffic generator's own account of what it wrote, to check a pipeline against an independent
 * expectation: packets per intended {@link TrafficClass} (overall and per IP version), wire and
 * captured bytes, VLAN-tagged frames, malformed frames by kind, frames by IP protocol byte, and the
 * scanner sources it planted per {@link ScannerTool} with their packet counts.
 *
 * <p>Written by the generator thread while it runs (plain counters, no allocation), read after
 * {@link TrafficGenerator#run} returns. Byte counts are in bytes; {@code wire_bytes} sums the
 * original (wire) lengths, {@code captured_bytes} the lengths stored after the snaplen cut.
 */
public final class GroundTruth
{
    /** Address family slot of IPv4 frames (malformed ones included: they are all IPv4 frames). */
    public static final int FAMILY_IPV4 = 0;
    /** Address family slot of IPv6 frames. */
    public static final int FAMILY_IPV6 = 1;
    /** Slot of non-IP frames. */
    public static final int FAMILY_NONE = 2;

    /** Malformed kind: a version nibble other than 4 in an IPv4 frame. */
    public static final int MALFORMED_BAD_VERSION = 0;
    /** Malformed kind: IHL below 5. */
    public static final int MALFORMED_BAD_IHL = 1;
    /** Malformed kind: IPv4 total length above what the frame holds. */
    public static final int MALFORMED_TOTAL_LENGTH = 2;
    /** Malformed kind: TCP header cut short inside a well-formed IPv4 packet. */
    public static final int MALFORMED_TRUNCATED_TCP = 3;
    static final String[] MALFORMED_KEYS = {"bad_version", "bad_ihl", "total_length_above_frame", "truncated_tcp"};

    final long[][] classByFamily = new long[3][TrafficClass.COUNT];
    final long[][] frameByProto = new long[2][256];
    final long[] malformed = new long[MALFORMED_KEYS.length];
    final long[] fingerprintPackets = new long[ScannerTool.all().length];
    long packets;
    long wireBytes;
    long capturedBytes;
    long ipBytes;
    long dot1q;
    long qinq;
    long padded;

    final Map<String, Object> header = new LinkedHashMap<>();
    final List<List<Map<String, Object>>> toolSources = new ArrayList<>();
    final List<Map<String, Object>> heavySources = new ArrayList<>();
    final List<Map<String, Object>> victims = new ArrayList<>();

    GroundTruth()
    {
        for (int i = 0; i < ScannerTool.all().length; i++)
        {
            toolSources.add(new ArrayList<>());
        }
    }

    /** Frames written. */
    public long packets()
    {
        return packets;
    }

    /** Sum of wire (original) lengths, bytes. */
    public long wireBytes()
    {
        return wireBytes;
    }

    /** Sum of stored lengths after the snaplen cut, bytes. */
    public long capturedBytes()
    {
        return capturedBytes;
    }

    /** Packets of the class, all families. */
    public long count(final TrafficClass c)
    {
        return classByFamily[0][c.id()] + classByFamily[1][c.id()] + classByFamily[2][c.id()];
    }

    /** Packets of the class in one family slot ({@link #FAMILY_IPV4}, ...). */
    public long count(final int family, final TrafficClass c)
    {
        return classByFamily[family][c.id()];
    }

    /** Frames of the family slot. */
    public long familyPackets(final int family)
    {
        long n = 0;
        for (final long v : classByFamily[family])
        {
            n += v;
        }
        return n;
    }

    /** IPv4 frames (family 0) whose protocol byte is {@code proto}, or IPv6 frames (family 1) whose first next header is. */
    public long framesByProto(final int family, final int proto)
    {
        return frameByProto[family][proto];
    }

    /** 802.1Q single-tagged frames. */
    public long dot1qFrames()
    {
        return dot1q;
    }

    /** QinQ (802.1ad + 802.1Q) frames. */
    public long qinqFrames()
    {
        return qinq;
    }

    /** Malformed frames of a kind ({@link #MALFORMED_BAD_VERSION}, ...). */
    public long malformed(final int kind)
    {
        return malformed[kind];
    }

    /** In-scope packets that carry the tool's fingerprint (only planted tool sources emit them). */
    public long fingerprintPackets(final ScannerTool tool)
    {
        return fingerprintPackets[tool.ordinal()];
    }

    /** The planted sources of a tool: maps with "src", "packets", "attributable". */
    public List<Map<String, Object>> sources(final ScannerTool tool)
    {
        return toolSources.get(tool.ordinal());
    }

    /** The truth as a JSON-ready tree (insertion-ordered maps). */
    public Map<String, Object> toTree()
    {
        final Map<String, Object> m = new LinkedHashMap<>(header);
        m.put("packets", packets);
        m.put("wire_bytes", wireBytes);
        m.put("captured_bytes", capturedBytes);
        m.put("ip_bytes", ipBytes);
        final Map<String, Object> classes = new LinkedHashMap<>();
        final Map<String, Object> v4 = new LinkedHashMap<>();
        final Map<String, Object> v6 = new LinkedHashMap<>();
        for (int id = 0; id < TrafficClass.COUNT; id++)
        {
            final TrafficClass c = TrafficClass.ofId(id);
            classes.put(c.key(), count(c));
            v4.put(c.key(), classByFamily[FAMILY_IPV4][id]);
            v6.put(c.key(), classByFamily[FAMILY_IPV6][id]);
        }
        m.put("classes", classes);
        m.put("classes_ipv4", v4);
        m.put("classes_ipv6", v6);
        m.put("ipv4_packets", familyPackets(FAMILY_IPV4));
        m.put("ipv6_packets", familyPackets(FAMILY_IPV6));
        m.put("non_ip_packets", familyPackets(FAMILY_NONE));
        final Map<String, Object> vlan = new LinkedHashMap<>();
        vlan.put("dot1q", dot1q);
        vlan.put("qinq", qinq);
        m.put("vlan", vlan);
        m.put("padded_frames", padded);
        final Map<String, Object> mal = new LinkedHashMap<>();
        for (int i = 0; i < MALFORMED_KEYS.length; i++)
        {
            mal.put(MALFORMED_KEYS[i], malformed[i]);
        }
        m.put("malformed", mal);
        final Map<String, Object> byProto = new LinkedHashMap<>();
        byProto.put("ipv4", protoMap(frameByProto[0]));
        byProto.put("ipv6", protoMap(frameByProto[1]));
        m.put("frames_by_ip_proto", byProto);
        final Map<String, Object> fp = new LinkedHashMap<>();
        final Map<String, Object> tools = new LinkedHashMap<>();
        for (final ScannerTool t : ScannerTool.all())
        {
            fp.put(t.key(), fingerprintPackets[t.ordinal()]);
            tools.put(t.key(), toolSources.get(t.ordinal()));
        }
        m.put("fingerprint_packets", fp);
        m.put("scanners", tools);
        m.put("heavy_scanners", heavySources);
        m.put("backscatter_victims", victims);
        return m;
    }

    /** The truth as pretty-printed JSON. */
    public String toJson()
    {
        try
        {
            return mapper().writeValueAsString(toTree());
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Writes {@link #toJson()} to {@code path}. */
    public void writeJson(final Path path) throws IOException
    {
        Files.writeString(path, toJson() + "\n");
    }

    private static ObjectMapper mapper()
    {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    private static Map<String, Object> protoMap(final long[] counts)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        for (int p = 0; p < counts.length; p++)
        {
            if (counts[p] != 0)
            {
                m.put(Integer.toString(p), counts[p]);
            }
        }
        return m;
    }
}
