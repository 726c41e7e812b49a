package io.nightjar.wire.tls;

import java.net.InetSocketAddress;

/**
 * A "HOST:PORT" command-line value ({@code 127.0.0.1:7443}, {@code [::1]:7443},
 * {@code aggregator.example:7443}).
 *
 * @param host host name or address literal (without brackets).
 * @param port TCP port, 0..65535.
 */
public record HostPort(String host, int port)
{
    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming {@code option}.
     */
    public static HostPort parse(final String option, final String text)
    {
        final int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1)
        {
            throw new IllegalArgumentException(option + ": '" + text + "' is not HOST:PORT");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        else if (host.contains(":"))
        {
            throw new IllegalArgumentException(option + ": write IPv6 addresses in brackets, e.g. [::1]:7443 (got '" + text + "')");
        }
        try
        {
            final int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 0 || port > 65535)
            {
                throw new NumberFormatException();
            }
            return new HostPort(host, port);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + ": '" + text.substring(colon + 1) + "' is not a port (0-65535)");
        }
    }

    /** The socket address (resolving the host). */
    public InetSocketAddress address()
    {
        return new InetSocketAddress(host, port);
    }

    /** True if the host is a loopback address or "localhost". */
    public boolean isLoopback()
    {
        return address().getAddress() != null && address().getAddress().isLoopbackAddress();
    }

    @Override
    public String toString()
    {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
