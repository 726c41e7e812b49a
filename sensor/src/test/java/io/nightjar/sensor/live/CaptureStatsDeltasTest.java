package io.nightjar.sensor.live;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Cumulative capture statistics become per-reading differences, per capture. */
class CaptureStatsDeltasTest
{
    @Test
    void shouldGiveTheDifferenceSinceThePreviousReadingOfEachCapture()
    {
        final CaptureStatsDeltas deltas = new CaptureStatsDeltas(2);
        final long[] out = new long[CaptureStatsDeltas.FIELDS];
        assertThat(deltas.add(0, 100, 2, 1, 0, out)).isTrue();
        assertThat(deltas.add(1, 50, 0, 0, 3, out)).isTrue();
        assertThat(out).containsExactly(150, 2, 1, 3);

        final long[] next = new long[CaptureStatsDeltas.FIELDS];
        assertThat(deltas.add(0, 130, 2, 1, 0, next)).isTrue();
        assertThat(deltas.add(1, 50, 0, 0, 3, next)).isFalse();
        assertThat(next).containsExactly(30, 0, 0, 0);
    }

    @Test
    void shouldAddNothingForACounterThatWentBackAndCountOnFromItsNewValue()
    {
        final CaptureStatsDeltas deltas = new CaptureStatsDeltas(1);
        deltas.add(0, 10, 0, 500, 0, new long[CaptureStatsDeltas.FIELDS]);
        final long[] reset = new long[CaptureStatsDeltas.FIELDS];
        deltas.add(0, 20, 0, 3, 0, reset); // the driver's drop counter was reset
        assertThat(reset).containsExactly(10, 0, 0, 0);
        final long[] after = new long[CaptureStatsDeltas.FIELDS];
        deltas.add(0, 20, 0, 8, 0, after);
        assertThat(after).containsExactly(0, 0, 5, 0);
    }
}
