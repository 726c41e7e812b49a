package io.nightjar.aggregator.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The aggregator's allow-list of sensors and their metadata, read from a YAML file:
 * <pre>
 * sensors:
 *   - id: th-bkk-1
 *     country: TH
 *     organisation: ThaiCERT
 *     darknet_addresses: 256
 * </pre>
 * Without a file every sensor whose certificate the CA signed is accepted (logged as a warning).
 * Unknown keys and bad values fail at load, naming the key.
 */
public final class SensorRegistry
{
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");

    private final Map<String, SensorEntry> sensors;
    private final boolean open;

    private SensorRegistry(final Map<String, SensorEntry> sensors, final boolean open)
    {
        this.sensors = sensors;
        this.open = open;
    }

    /** A registry that accepts any well-formed sensor id (no allow-list). */
    public static SensorRegistry open()
    {
        return new SensorRegistry(Map.of(), true);
    }

    /** A registry of exactly {@code entries}. */
    public static SensorRegistry of(final List<SensorEntry> entries)
    {
        final Map<String, SensorEntry> map = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++)
        {
            final SensorEntry e = entries.get(i);
            final String where = "sensors[" + i + "]";
            if (e == null)
            {
                throw new IllegalArgumentException(where + ": empty entry (a '-' without keys)");
            }
            if (e.id() == null || !ID.matcher(e.id()).matches())
            {
                throw new IllegalArgumentException(where + ".id: '" + e.id() + "' is not a sensor id (letters, digits, '.', '_', '-'; up to 63)");
            }
            if (e.country() != null && !COUNTRY.matcher(e.country()).matches())
            {
                throw new IllegalArgumentException(where + ".country: '" + e.country() + "' is not an ISO 3166 alpha-2 code such as TH");
            }
            if (e.darknetAddresses() < 0)
            {
                throw new IllegalArgumentException(where + ".darknet_addresses: must not be negative");
            }
            if (map.put(e.id(), e) != null)
            {
                throw new IllegalArgumentException(where + ".id: '" + e.id() + "' is listed twice");
            }
        }
        return new SensorRegistry(Map.copyOf(map), false);
    }

    /** Loads a registry file; errors name the file and the bad key. */
    public static SensorRegistry load(final Path file)
    {
        final ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try
        {
            final FileModel model = yaml.readValue(Files.readAllBytes(file), FileModel.class);
            if (model == null || model.sensors() == null)
            {
                throw new IllegalArgumentException(file + ": key 'sensors' is missing");
            }
            return of(model.sensors());
        }
        catch (final UnrecognizedPropertyException ex)
        {
            throw new IllegalArgumentException(file + ": unknown key '" + ex.getPropertyName() + "' at " + path(ex)
                + " (known: " + ex.getKnownPropertyIds() + ")");
        }
        catch (final JsonMappingException ex)
        {
            throw new IllegalArgumentException(file + ": bad value at " + path(ex) + ": " + ex.getOriginalMessage());
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read sensor registry " + file + ": " + ex.getMessage());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(ex.getMessage().startsWith(file.toString()) ? ex.getMessage() : file + ": " + ex.getMessage());
        }
    }

    private static String path(final JsonMappingException ex)
    {
        return ex.getPath().stream()
            .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
            .collect(Collectors.joining(".")).replace(".[", "[");
    }

    /** True if no allow-list is configured. */
    public boolean isOpen()
    {
        return open;
    }

    /** True if {@code id} may connect. */
    public boolean allows(final String id)
    {
        return id != null && ID.matcher(id).matches() && (open || sensors.containsKey(id));
    }

    /** The configured sensors. */
    public Map<String, SensorEntry> sensors()
    {
        return sensors;
    }

    record FileModel(@com.fasterxml.jackson.annotation.JsonProperty("sensors") List<SensorEntry> sensors)
    {
    }
}
