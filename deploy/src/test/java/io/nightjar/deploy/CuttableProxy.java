package io.nightjar.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on loopback between a sensor and the aggregator whose connections a test can cut
 * at any moment (both directions closed at once, like a failing link or a NAT timeout).
 */
final class CuttableProxy implements AutoCloseable
{
    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    CuttableProxy(final InetSocketAddress upstream) throws IOException
    {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port()
    {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    int accepted()
    {
        return accepted.get();
    }

    private void accept()
    {
        while (!server.isClosed())
        {
            try
            {
                final Socket down = server.accept();
                final Socket up = new Socket(upstream.getAddress(), upstream.getPort());
                accepted.incrementAndGet();
                open.add(down);
                open.add(up);
                pump(down, up);
                pump(up, down);
            }
            catch (final IOException ex)
            {
                // closed or upstream refused: the sensor sees a closed connection and retries
            }
        }
    }

    private void pump(final Socket from, final Socket to)
    {
        final Thread t = new Thread(() ->
        {
            final byte[] buf = new byte[16 << 10];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream())
            {
                int n;
                while ((n = in.read(buf)) >= 0)
                {
                    out.write(buf, 0, n);
                }
            }
            catch (final IOException ex)
            {
                // cut
            }
            finally
            {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Cuts every open connection. */
    void cutAll()
    {
        for (final Socket s : open)
        {
            closeQuietly(s);
        }
        open.clear();
    }

    private static void closeQuietly(final Socket s)
    {
        try
        {
            s.close();
        }
        catch (final IOException ex)
        {
            // already closed
        }
    }

    @Override
    public void close() throws IOException
    {
        server.close();
        cutAll();
    }
}
