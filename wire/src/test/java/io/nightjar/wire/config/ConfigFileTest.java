package io.nightjar.wire.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigFileTest
{
    @TempDir
    Path dir;

    private Path write(final String yaml) throws IOException
    {
        final Path f = dir.resolve("sensor.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void shouldKeepScalarsAsWrittenWithoutYamlTyping() throws IOException
    {
        final ConfigFile c = ConfigFile.read(write("""
            # a comment
            spool-max-size: 10g
            max-flows: 0x10
            batch-rows: 1_000
            aggregator: agg.example:7443
            deadline: 10:30
            plaintext: True
            sensor-id: "th-bkk-1"
            """));
        assertThat(c.entries()).extracting(ConfigEntry::key)
            .containsExactly("spool-max-size", "max-flows", "batch-rows", "aggregator", "deadline", "plaintext", "sensor-id");
        assertThat(c.get("spool-max-size").value()).isEqualTo("10g");
        assertThat(c.get("max-flows").value()).isEqualTo("0x10");
        assertThat(c.get("batch-rows").value()).isEqualTo("1_000");
        assertThat(c.get("aggregator").value()).isEqualTo("agg.example:7443");
        assertThat(c.get("deadline").value()).isEqualTo("10:30");
        assertThat(c.get("plaintext").value()).isEqualToIgnoringCase("true");
        assertThat(c.get("sensor-id").value()).isEqualTo("th-bkk-1");
        assertThat(c.get("max-flows").line()).isEqualTo(3);
        assertThat(c.get("max-flows").list()).isFalse();
    }

    @Test
    void shouldReadFlowAndBlockListsAndEmptyLists() throws IOException
    {
        final ConfigFile c = ConfigFile.read(write("""
            darknet: [192.0.2.0/24, "2001:db8::/32"]
            read:
              - a.pcap
              - b.pcap.gz
            tokens: []
            """));
        assertThat(c.get("darknet").values()).containsExactly("192.0.2.0/24", "2001:db8::/32");
        assertThat(c.get("read").values()).containsExactly("a.pcap", "b.pcap.gz");
        assertThat(c.get("read").list()).isTrue();
        assertThat(c.get("tokens").values()).isEmpty();
    }

    @Test
    void shouldReadAnEmptyFileOrOneOfCommentsAsNoEntries() throws IOException
    {
        assertThat(ConfigFile.read(write("")).entries()).isEmpty();
        assertThat(ConfigFile.read(write("# nothing set\n\n")).entries()).isEmpty();
        assertThat(ConfigFile.none().entries()).isEmpty();
    }

    @Test
    void shouldRefuseANestedMapNamingTheKeyAndLine() throws IOException
    {
        final Path f = write("bin: 60s\nship:\n  aggregator: agg:7443\n");
        assertThatThrownBy(() -> ConfigFile.read(f)).isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("config key ship in " + f + " (line 2): nested keys are not supported");
        final Path g = write("darknet:\n  - {prefix: 192.0.2.0/24}\n");
        assertThatThrownBy(() -> ConfigFile.read(g)).hasMessageContaining("config key darknet in " + g).hasMessageContaining("nested");
    }

    @Test
    void shouldRefuseListsOfListsKeysWithoutValueAndKeysGivenTwice() throws IOException
    {
        final Path lists = write("darknet: [[192.0.2.0/24]]\n");
        assertThatThrownBy(() -> ConfigFile.read(lists)).hasMessageContaining("config key darknet").hasMessageContaining("list inside a list");
        final Path empty = write("spool:\nbin: 60s\n");
        assertThatThrownBy(() -> ConfigFile.read(empty)).hasMessageContaining("config key spool in " + empty + " (line 1): has no value");
        final Path twice = write("bin: 60s\nbin: 5m\n");
        assertThatThrownBy(() -> ConfigFile.read(twice)).hasMessage("config key bin in " + twice + " (line 2): given twice");
    }

    @Test
    void shouldRefuseAFileThatIsNotKeysAndValues() throws IOException
    {
        final Path list = write("- spool\n- bin\n");
        assertThatThrownBy(() -> ConfigFile.read(list)).hasMessageContaining("config file " + list).hasMessageContaining("not a list");
        final Path scalar = write("just words\n");
        assertThatThrownBy(() -> ConfigFile.read(scalar)).hasMessageContaining("expected 'key: value' lines");
        final Path two = write("bin: 60s\n---\nbin: 5m\n");
        assertThatThrownBy(() -> ConfigFile.read(two)).hasMessageContaining("more than one YAML document");
    }

    @Test
    void shouldNameAFileThatIsNotYaml() throws IOException
    {
        final Path f = write("bin: [60s\nspool: x\n");
        assertThatThrownBy(() -> ConfigFile.read(f)).isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("config file " + f + " is not valid YAML (line");
    }

    @Test
    void shouldNameAnUnreadableFile()
    {
        final Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> ConfigFile.read(missing)).isInstanceOf(ConfigException.class)
            .hasMessage("cannot read config file " + missing + ": no such file");
        assertThatThrownBy(() -> ConfigFile.read(dir)).isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("cannot read config file " + dir + ": ");
    }

    @Test
    void shouldCopyValues()
    {
        final List<String> values = new java.util.ArrayList<>(List.of("a"));
        final ConfigEntry e = new ConfigEntry("read", values, true, 1);
        values.add("b");
        assertThat(e.values()).containsExactly("a");
    }
}
