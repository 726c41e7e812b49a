package io.nightjar.aggregator.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.nightjar.aggregator.auth.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzz target for the aggregator's YAML files: arbitrary contents of a sensor registry
 * ({@link SensorRegistry#load}) or a token file ({@link Tokens#load}) give either a value or an
 * {@link IllegalArgumentException} whose message names the file; never another exception.
 */
class YamlLoadersFuzzTest
{
    private static Path dir;

    @BeforeAll
    static void makeDirectory() throws IOException
    {
        dir = Files.createTempDirectory("nightjar-yaml-fuzz");
    }

    @AfterAll
    static void removeDirectory() throws IOException
    {
        try (var files = Files.list(dir))
        {
            for (final Path f : (Iterable<Path>)files::iterator)
            {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    @FuzzTest(maxDuration = "60s")
    void arbitraryRegistryOrTokenFileContentsGiveAValueOrAnErrorNamingTheFile(final byte[] contents) throws IOException
    {
        final Path registry = Files.write(dir.resolve("sensors.yaml"), contents);
        try
        {
            assertThat(SensorRegistry.load(registry)).isNotNull();
        }
        catch (final IllegalArgumentException ex)
        {
            assertThat(ex.getMessage()).contains(registry.toString());
        }
        final Path tokens = Files.write(dir.resolve("tokens.yaml"), contents);
        try
        {
            assertThat(Tokens.load(tokens)).isNotNull();
        }
        catch (final IllegalArgumentException ex)
        {
            assertThat(ex.getMessage()).contains(tokens.toString());
        }
    }
}
