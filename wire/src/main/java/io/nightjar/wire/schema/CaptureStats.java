package io.nightjar.wire.schema;

/**
 * A live capture's statistics over one time bin: differences of libpcap's {@code pcap_stats}
 * counters and of the hand-over ring's rejections between the start and the end of the bin (not
 * cumulative). All zero for capture files, which have no such statistics. Immutable value.
 *
 * @param received       {@code ps_recv}: packets the kernel filter accepted (on Linux including those the kernel then dropped).
 * @param kernelDrops    {@code ps_drop}: packets the kernel dropped for lack of buffer room ({@code --buffer-mb}).
 * @param interfaceDrops {@code ps_ifdrop}: packets the interface or its driver dropped (0 where the driver does not say).
 * @param ringDrops      packets libpcap delivered that the sensor's hand-over ring had no room for ({@code --ring-mb}).
 */
public record CaptureStats(long received, long kernelDrops, long interfaceDrops, long ringDrops)
{
    /** No statistics: a capture file, or a bin from a sensor that did not report them. */
    public static final CaptureStats NONE = new CaptureStats(0, 0, 0, 0);

    /** Every drop: kernel, interface and ring (the bin's {@code capture_drops}). */
    public long drops()
    {
        return kernelDrops + interfaceDrops + ringDrops;
    }
}
