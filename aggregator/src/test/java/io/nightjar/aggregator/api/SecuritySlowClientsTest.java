package io.nightjar.aggregator.api;

import io.nightjar.aggregator.auth.FailedLogins;
import io.nightjar.aggregator.auth.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slow and idle HTTP clients (slowloris) against a real {@link HttpApi} on 127.0.0.1 with a
 * one-second request timeout: many connections trickling their headers do not keep a normal
 * client from being answered, and each is closed once it has not delivered a whole request in
 * time, as is an idle keep-alive connection; a slow answer is not cut by the timeout. Also the
 * lockout window of {@link FailedLogins} to the millisecond.
 */
class SecuritySlowClientsTest
{
    private static final String TOKEN = "nj_slow-clients-token";
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static HttpApi api;

    @BeforeAll
    static void start()
    {
        final Map<String, HttpApi.Endpoint> routes = Map.of(
            "/api/v1/fast", HttpApi.Endpoint.of(Set.of(), p -> Map.of("ok", true)),
            "/api/v1/slow", HttpApi.Endpoint.of(Set.of(), p ->
            {
                Thread.sleep(2 * TIMEOUT.toMillis());
                return Map.of("slow", true);
            }));
        api = new HttpApi(new InetSocketAddress("127.0.0.1", 0), routes, 2, Tokens.of(List.of(new Tokens.Entry("test", null, Tokens.sha256(TOKEN)))),
            m -> { }, TIMEOUT);
    }

    @AfterAll
    static void stop()
    {
        api.close();
    }

    private static Socket open() throws IOException
    {
        final Socket s = new Socket();
        s.connect(api.address(), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    private static String request(final String path)
    {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n";
    }

    /** Reads one response's status line and headers (and its small body) from a kept-alive connection. */
    private static String readResponse(final InputStream in) throws IOException
    {
        final StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0)
        {
            b.append((char)c);
            final int end = b.indexOf("\r\n\r\n");
            if (end >= 0)
            {
                final int lengthAt = b.indexOf("content-length: ");
                final int length = Integer.parseInt(b.substring(lengthAt + 16, b.indexOf("\r\n", lengthAt)));
                b.append(new String(in.readNBytes(length), StandardCharsets.UTF_8));
                return b.toString();
            }
        }
        return b.toString();
    }

    /** Whether the server closed {@code s} (EOF or reset) within {@code millis}. */
    private static boolean closedWithin(final Socket s, final long millis) throws IOException
    {
        s.setSoTimeout((int)millis);
        try
        {
            return s.getInputStream().read() < 0;
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
        catch (final IOException ex)
        {
            return true; // reset
        }
    }

    @Test
    void manyConnectionsTricklingHeadersAreClosedAndDoNotStopANormalClient() throws Exception
    {
        final List<Socket> slow = new ArrayList<>();
        try
        {
            for (int i = 0; i < 100; i++)
            {
                final Socket s = open();
                s.getOutputStream().write("GET /api/v1/fast HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            final long start = System.nanoTime();
            int closed = 0;
            int trickled = 0;
            // every 100 ms one more header byte on every slow connection; meanwhile a normal client is served at once
            while (closed < slow.size() && System.nanoTime() - start < 4 * TIMEOUT.toNanos())
            {
                closed = 0;
                for (final Socket s : slow)
                {
                    try
                    {
                        s.getOutputStream().write('a');
                        trickled++;
                    }
                    catch (final IOException ex)
                    {
                        closed++;
                    }
                }
                if (System.nanoTime() - start < TIMEOUT.toNanos() / 2)
                {
                    try (Socket normal = open())
                    {
                        final long asked = System.nanoTime();
                        normal.getOutputStream().write(request("/api/v1/fast").getBytes(StandardCharsets.US_ASCII));
                        assertThat(readResponse(normal.getInputStream())).startsWith("HTTP/1.1 200").contains("\"ok\":true");
                        assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofMillis(500));
                    }
                }
                Thread.sleep(100);
            }
            assertThat(trickled).isGreaterThan(slow.size());
            for (final Socket s : slow)
            {
                assertThat(closedWithin(s, 2 * TIMEOUT.toMillis())).as("slow connection closed").isTrue();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.multipliedBy(5));
        }
        finally
        {
            for (final Socket s : slow)
            {
                s.close();
            }
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheTimeoutButASlowAnswerIsNotCut() throws Exception
    {
        try (Socket s = open())
        {
            final OutputStream out = s.getOutputStream();
            final InputStream in = s.getInputStream();
            out.write(request("/api/v1/slow").getBytes(StandardCharsets.US_ASCII));
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200").contains("\"slow\":true");
            out.write(request("/api/v1/fast").getBytes(StandardCharsets.US_ASCII));
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200");
            final long idle = System.nanoTime();
            assertThat(closedWithin(s, 3 * TIMEOUT.toMillis())).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - idle)).isGreaterThanOrEqualTo(TIMEOUT.minusMillis(100));
        }
        try (Socket silent = open())
        {
            assertThat(closedWithin(silent, 3 * TIMEOUT.toMillis())).as("a connection that never sends is closed").isTrue();
        }
    }

    @Test
    void aLockoutLastsUntilTheTenthFailureBeforeLeavesTheWindow()
    {
        final FailedLogins f = new FailedLogins(10, 300_000);
        for (int i = 0; i < 9; i++)
        {
            f.fail("192.0.2.7", 1_000 + i);
        }
        assertThat(f.blocked("192.0.2.7", 1_009)).isFalse();
        f.fail("192.0.2.7", 1_009);
        assertThat(f.blocked("192.0.2.7", 1_009)).isTrue();
        assertThat(f.blocked("192.0.2.8", 1_009)).as("other addresses").isFalse();
        assertThat(f.blocked("192.0.2.7", 1_000 + 299_999)).as("still inside the first failure's window").isTrue();
        assertThat(f.blocked("192.0.2.7", 1_000 + 300_000)).as("the first failure left the window").isFalse();
        f.fail("192.0.2.7", 301_000);
        assertThat(f.blocked("192.0.2.7", 301_000)).as("nine in the window again, plus one").isTrue();
    }
}
