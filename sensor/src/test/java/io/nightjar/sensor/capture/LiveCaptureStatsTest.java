package io.nightjar.sensor.capture;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** libpcap's 32-bit statistics counters are followed across their wrap. */
class LiveCaptureStatsTest
{
    @Test
    void shouldCountAcrossTheWrapOfA32BitCounter()
    {
        assertThat(LiveCapture.wrappingDelta(15, 10)).isEqualTo(5);
        assertThat(LiveCapture.wrappingDelta(4, 0xFFFF_FFFEL)).isEqualTo(6);
        assertThat(LiveCapture.wrappingDelta(7, 7)).isZero();
    }
}
