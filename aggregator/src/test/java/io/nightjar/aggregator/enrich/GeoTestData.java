package io.nightjar.aggregator.enrich;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.fail;

/** The real geo data files from the cache ({@code ./nightjar geo-data}); tests fail, not skip, without them. */
final class GeoTestData
{
    private GeoTestData()
    {
    }

    /** The geo directory, after checking that every data file is there. */
    static Path directory()
    {
        final Path dir = Enricher.defaultDirectory();
        for (final String f : new String[] {Enricher.COUNTRY_FILE, Enricher.ASN_IPV4_FILE, Enricher.ASN_IPV6_FILE})
        {
            if (!Files.isRegularFile(dir.resolve(f)))
            {
                fail("geo data file " + dir.resolve(f) + " is missing: run ./nightjar geo-data (./nightjar test does it first)");
            }
        }
        return dir;
    }
}
