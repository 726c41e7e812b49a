package io.nightjar.deploy;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, driven through Debian's {@code chromedriver} (Selenium): a fresh
 * profile, no network beyond loopback, the time zone of Bangkok, downloads into a directory of the test. Every wait is
 * bounded. One instance per test class; it is not thread-safe.
 */
final class HeadlessChromium implements AutoCloseable
{
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The browser's time zone (UTC+07:00, no daylight saving). */
    static final String TIME_ZONE = "Asia/Bangkok";

    /**
     * Resolves (arguments[3]) once the element matched by arguments[0] has attribute arguments[1]
     * equal to one of arguments[2]; the driver's script timeout bounds the wait.
     */
    private static final String AWAIT_ATTRIBUTE = """
        const [sel, attr, wanted, done] = arguments;
        const ok = () => { const e = document.querySelector(sel); return e !== null && wanted.includes(e.getAttribute(attr)); };
        if (ok()) { done(true); return; }
        const mo = new MutationObserver(() => { if (ok()) { mo.disconnect(); done(true); } });
        mo.observe(document.documentElement, {attributes: true, subtree: true, childList: true});
        """;

    final ChromeDriver driver;
    final Path downloads;

    HeadlessChromium(final Path dir) throws IOException
    {
        this.downloads = Files.createDirectories(dir.resolve("downloads"));
        final ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            "--disable-default-apps", "--disable-extensions", "--mute-audio", "--lang=en-US",
            "--user-data-dir=" + Files.createDirectories(dir.resolve("profile")), "--window-size=1400,1000");
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
            "download.prompt_for_download", false, "safebrowsing.enabled", false));
        final LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        final ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
            // a browser far from UTC: the page must still show UTC, and the offset beside it
            .withEnvironment(Map.of("TZ", TIME_ZONE))
            .withLogFile(dir.resolve("chromedriver.log").toFile()).build();
        this.driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT).implicitlyWait(Duration.ZERO);
    }

    static boolean installed()
    {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    Object js(final String script, final Object... args)
    {
        return ((JavascriptExecutor)driver).executeScript(script, args);
    }

    /** Waits (bounded) until {@code selector}'s {@code attribute} is one of {@code values}. */
    void awaitAttribute(final String selector, final String attribute, final String... values)
    {
        try
        {
            ((JavascriptExecutor)driver).executeAsyncScript(AWAIT_ATTRIBUTE, selector, attribute, List.of(values));
        }
        catch (final org.openqa.selenium.ScriptTimeoutException ex)
        {
            final Object now = js("const e = document.querySelector(arguments[0]); return e === null ? 'absent' : e.getAttribute(arguments[1]);",
                selector, attribute);
            throw new AssertionError(selector + " [" + attribute + "] is " + now + ", not one of " + List.of(values) + " after " + WAIT
                + "; console: " + consoleEntries(), ex);
        }
    }

    WebElement find(final String css)
    {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> findAll(final String css)
    {
        return driver.findElements(By.cssSelector(css));
    }

    /** The console entries since the last call (the driver hands each entry out once). */
    List<LogEntry> consoleEntries()
    {
        return driver.manage().logs().get(LogType.BROWSER).getAll();
    }

    /** Saves a PNG of {@code element} as {@code out}. */
    void screenshot(final WebElement element, final Path out) throws IOException
    {
        js("arguments[0].scrollIntoView({block: 'start'});", element);
        Files.createDirectories(out.getParent());
        Files.write(out, element.getScreenshotAs(OutputType.BYTES));
    }

    /** Saves a PNG of the whole page, beyond the window, as {@code out}. */
    void screenshotPage(final Path out) throws IOException
    {
        final Number width = (Number)js("return document.documentElement.scrollWidth;");
        final Number height = (Number)js("return document.documentElement.scrollHeight;");
        final Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
            "captureBeyondViewport", true,
            "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
        Files.createDirectories(out.getParent());
        Files.write(out, java.util.Base64.getDecoder().decode((String)shot.get("data")));
    }

    /** Waits (bounded) until a finished download named {@code *suffix} is in the download directory. */
    Path awaitDownload(final String suffix) throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        try (WatchService watch = FileSystems.getDefault().newWatchService())
        {
            downloads.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            while (true)
            {
                try (Stream<Path> files = Files.list(downloads))
                {
                    final var done = files.filter(p -> p.getFileName().toString().endsWith(suffix)).findFirst();
                    if (done.isPresent())
                    {
                        return done.get();
                    }
                }
                final long left = deadline - System.nanoTime();
                if (left <= 0)
                {
                    try (Stream<Path> files = Files.list(downloads))
                    {
                        throw new AssertionError("no download *" + suffix + " within " + WAIT + "; directory holds " + files.toList());
                    }
                }
                final var key = watch.poll(left, TimeUnit.NANOSECONDS);
                if (key != null)
                {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
    }

    @Override
    public void close()
    {
        driver.quit();
    }
}
