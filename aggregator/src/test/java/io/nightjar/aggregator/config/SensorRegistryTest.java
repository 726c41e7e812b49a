package io.nightjar.aggregator.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SensorRegistryTest
{
    @Test
    void theShippedExampleLoadsWithItsMetadata()
    {
        final SensorRegistry r = SensorRegistry.load(Path.of("../deploy/sensors.example.yaml"));
        assertThat(r.sensors()).containsOnlyKeys("th-bkk-1", "vn-han-1");
        assertThat(r.sensors().get("vn-han-1")).isEqualTo(new SensorEntry("vn-han-1", "VN", "VNCERT/CC", 1024));
        assertThat(r.allows("th-bkk-1")).isTrue();
        assertThat(r.allows("my-kul-1")).isFalse();
    }

    @Test
    void anUnknownKeyOrABadValueIsNamed(@TempDir final Path dir) throws Exception
    {
        final Path typo = dir.resolve("typo.yaml");
        Files.writeString(typo, "sensors:\n  - id: a\n    countri: TH\n");
        assertThatThrownBy(() -> SensorRegistry.load(typo)).hasMessageContaining("unknown key 'countri'").hasMessageContaining("sensors[0]");
        final Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "sensors:\n  - id: a\n    country: Thailand\n");
        assertThatThrownBy(() -> SensorRegistry.load(bad)).hasMessageContaining("sensors[0].country");
        final Path number = dir.resolve("number.yaml");
        Files.writeString(number, "sensors:\n  - id: a\n    darknet_addresses: lots\n");
        assertThatThrownBy(() -> SensorRegistry.load(number)).hasMessageContaining("darknet_addresses");
        final Path twice = dir.resolve("twice.yaml");
        Files.writeString(twice, "sensors:\n  - id: a\n  - id: a\n");
        assertThatThrownBy(() -> SensorRegistry.load(twice)).hasMessageContaining("listed twice");
    }
}
