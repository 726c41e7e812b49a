package io.nightjar.sensor.capture;

/**
 * How to open one live interface: the libpcap handle's settings.
 *
 * @param interfaceName  the interface, e.g. {@code eth1} (see {@code ip link}).
 * @param bpf            a BPF filter expression (tcpdump syntax), or null for everything.
 * @param snaplen        bytes kept of each packet; the headers Nightjar needs fit in 128 for IPv4 and IPv6 with options.
 * @param promiscuous    whether to put the interface into promiscuous mode (needed on a span port or a
 *                       darknet routed to a host that does not own the addresses).
 * @param bufferBytes    the kernel's capture buffer (libpcap's {@code pcap_set_buffer_size}); bigger rides out bursts.
 * @param ringBytes      the hand-over ring from the capture thread to the pipeline thread.
 * @param timeoutMillis  libpcap's read timeout: how long the kernel may hold a part-filled block.
 */
public record LiveSettings(String interfaceName, String bpf, int snaplen, boolean promiscuous, int bufferBytes, int ringBytes,
                           int timeoutMillis)
{
    /** Default snapshot length: every header Nightjar decodes, with room for IPv6 extension headers and quotes. */
    public static final int DEFAULT_SNAPLEN = 256;

    /** Checks the values. */
    public LiveSettings
    {
        if (interfaceName == null || interfaceName.isBlank())
        {
            throw new IllegalArgumentException("--interface: give an interface name");
        }
        if (snaplen < 64 || snaplen > 262_144)
        {
            throw new IllegalArgumentException("--snaplen must be 64 .. 262144: " + snaplen);
        }
        if (bufferBytes < 1 << 20)
        {
            throw new IllegalArgumentException("--buffer-mb must be at least 1");
        }
        if (timeoutMillis < 1)
        {
            throw new IllegalArgumentException("read timeout must be at least 1 ms: " + timeoutMillis);
        }
    }

    /** The same settings for another interface. */
    public LiveSettings forInterface(final String name)
    {
        return new LiveSettings(name, bpf, snaplen, promiscuous, bufferBytes, ringBytes, timeoutMillis);
    }
}
