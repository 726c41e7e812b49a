package io.nightjar.wire.metrics;

import java.util.Locale;

/**
 * Writes metrics in the Prometheus text exposition format (version 0.0.4): a {@code # HELP} and
 * {@code # TYPE} line per family, then one line per sample, label values escaped.
 */
public final class PrometheusText
{
    private final StringBuilder sb = new StringBuilder(4096);

    /** Starts a family: {@code type} is counter, gauge or summary. */
    public PrometheusText family(final String name, final String type, final String help)
    {
        sb.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** A family of one unlabelled sample: {@code family(name, type, help).sample(name, value)}. */
    public PrometheusText single(final String name, final String type, final String help, final double value)
    {
        return family(name, type, help).sample(name, value);
    }

    /** One sample with alternating label names and values (none for a plain sample). */
    public PrometheusText sample(final String name, final double value, final String... labels)
    {
        sb.append(name);
        if (labels.length > 0)
        {
            sb.append('{');
            for (int i = 0; i < labels.length; i += 2)
            {
                if (i > 0)
                {
                    sb.append(',');
                }
                sb.append(labels[i]).append("=\"").append(labels[i + 1].replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
            }
            sb.append('}');
        }
        sb.append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15)
        {
            sb.append((long)value);
        }
        else
        {
            sb.append(String.format(Locale.ROOT, "%.6g", value));
        }
        sb.append('\n');
        return this;
    }

    @Override
    public String toString()
    {
        return sb.toString();
    }
}
