package io.nightjar.aggregator.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The API's bearer tokens, one or more per analyst organisation, kept as SHA-256 hashes (never the
 * tokens themselves) in a YAML file:
 *
 * <pre>
 * tokens:
 *   - organisation: ThaiCERT
 *     member_state: TH          # omit for a regional token
 *     sha256: 3f2a...           # of the token's UTF-8 bytes, hex
 * </pre>
 *
 * Tokens are 32 random bytes, URL-safe base64 with a {@code nj_} prefix. Checking compares the
 * hash in constant time. Unknown keys and bad values fail the load naming the key.
 */
public final class Tokens
{
    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Principal> byHash;

    private Tokens(final List<Entry> entries)
    {
        this.byHash = entries.stream().collect(Collectors.toUnmodifiableMap(Entry::sha256,
            e -> new Principal(e.organisation(), e.memberState()), (a, b) -> a));
    }

    /** One token as stored. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(@JsonProperty(value = "organisation", required = true) String organisation,
                        @JsonProperty("member_state") String memberState,
                        @JsonProperty(value = "sha256", required = true) String sha256)
    {
    }

    /** The YAML document. */
    public record File(@JsonProperty("tokens") List<Entry> tokens)
    {
    }

    private static ObjectMapper yaml()
    {
        return new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** Tokens of the given entries (validated). */
    public static Tokens of(final List<Entry> entries)
    {
        for (int i = 0; i < entries.size(); i++)
        {
            validate(entries.get(i), "tokens[" + i + "]");
        }
        return new Tokens(entries);
    }

    private static void validate(final Entry e, final String where)
    {
        if (e == null)
        {
            throw new IllegalArgumentException(where + ": empty entry (a '-' without keys)");
        }
        if (e.organisation() == null || e.organisation().isBlank())
        {
            throw new IllegalArgumentException(where + ".organisation: must not be empty");
        }
        if (e.memberState() != null && !COUNTRY.matcher(e.memberState()).matches())
        {
            throw new IllegalArgumentException(where + ".member_state: '" + e.memberState() + "' is not an ISO 3166 alpha-2 code (e.g. TH)");
        }
        if (e.sha256() == null || !HEX.matcher(e.sha256()).matches())
        {
            throw new IllegalArgumentException(where + ".sha256: must be 64 lower-case hex digits (the token's SHA-256)");
        }
    }

    /**
     * Loads a token file.
     *
     * @throws IllegalArgumentException naming the file and the bad key.
     */
    public static Tokens load(final Path file)
    {
        final List<Entry> entries = entries(file);
        try
        {
            return of(entries);
        }
        catch (final IllegalArgumentException ex)
        {
            // the entries' checks name the entry and key; the file is named here, as for a YAML error
            throw new IllegalArgumentException(file + ": " + ex.getMessage(), ex);
        }
    }

    private static List<Entry> entries(final Path file)
    {
        if (!Files.exists(file))
        {
            return new ArrayList<>();
        }
        try
        {
            final File f = yaml().readValue(file.toFile(), File.class);
            return f == null || f.tokens() == null ? new ArrayList<>() : new ArrayList<>(f.tokens());
        }
        catch (final JsonMappingException ex)
        {
            final String path = ex.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
            throw new IllegalArgumentException(file + ": bad token entry at '" + path + "': " + ex.getOriginalMessage());
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read token file " + file + ": " + ex.getMessage());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(file + ": " + ex.getMessage());
        }
    }

    /**
     * Makes a new token for {@code organisation} (limited to {@code memberState} when not null),
     * adds its hash to {@code file} (created with mode 0600 if missing) and returns the token,
     * which is shown once and stored nowhere.
     */
    public static String add(final Path file, final String organisation, final String memberState) throws IOException
    {
        final List<Entry> entries = entries(file);
        final String token = newToken();
        final Entry e = new Entry(organisation, memberState, sha256(token));
        validate(e, "new token");
        entries.add(e);
        final Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        final Path tmp = Files.createTempFile(dir, ".tokens", ".tmp");
        try
        {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        }
        catch (final UnsupportedOperationException ignored)
        {
            // not a POSIX file system
        }
        Files.writeString(tmp, "# Nightjar API tokens (SHA-256 of each token; the tokens themselves are not stored)\n"
            + yaml().writeValueAsString(new File(entries)));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return token;
    }

    /** A new random token. */
    public static String newToken()
    {
        final byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return "nj_" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Hex SHA-256 of a token's UTF-8 bytes. */
    public static String sha256(final String token)
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** The principal of {@code token}, or null when it is not a known token. */
    public Principal check(final String token)
    {
        if (token == null || token.isEmpty())
        {
            return null;
        }
        final byte[] hash = sha256(token).getBytes(StandardCharsets.US_ASCII);
        Principal found = null;
        for (final Map.Entry<String, Principal> e : byHash.entrySet())
        {
            if (MessageDigest.isEqual(hash, e.getKey().getBytes(StandardCharsets.US_ASCII)))
            {
                found = e.getValue();
            }
        }
        return found;
    }

    /** Number of tokens. */
    public int size()
    {
        return byHash.size();
    }
}
