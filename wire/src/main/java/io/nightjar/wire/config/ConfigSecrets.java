package io.nightjar.wire.config;

import picocli.CommandLine.Model.OptionSpec;

import java.io.File;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Which options' values are secret and masked in the configuration log and in error messages:
 * those whose name contains {@code key}, {@code token}, {@code secret} or {@code password}, unless the
 * option takes paths ({@link Path} or {@link File}): a path names where a secret is kept (the file's
 * permissions protect it), and operators need to see which file was used. So {@code --key PEM} and
 * {@code --tokens YAML} are shown, an option that takes key material itself (say a
 * {@code --anonymize-key HEX} string) is shown as {@value #MASK}. Stateless.
 */
public final class ConfigSecrets
{
    /** What a secret value is shown as. */
    public static final String MASK = "****";

    private static final Pattern SECRET_NAME = Pattern.compile("key|token|secret|password", Pattern.CASE_INSENSITIVE);

    private ConfigSecrets()
    {
    }

    /** True if {@code option}'s value must not be shown. */
    public static boolean isSecret(final OptionSpec option)
    {
        boolean named = false;
        for (final String name : option.names())
        {
            named |= SECRET_NAME.matcher(name).find();
        }
        if (!named)
        {
            return false;
        }
        final Class<?> type = option.isMultiValue() && option.auxiliaryTypes().length > 0
            ? option.auxiliaryTypes()[option.auxiliaryTypes().length - 1] : option.type();
        return !(Path.class.isAssignableFrom(type) || File.class.isAssignableFrom(type));
    }
}
