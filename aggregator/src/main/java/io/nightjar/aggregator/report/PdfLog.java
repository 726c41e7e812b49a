package io.nightjar.aggregator.report;

import com.openhtmltopdf.util.Diagnostic;
import com.openhtmltopdf.util.XRLog;
import com.openhtmltopdf.util.XRLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.logging.Level;

/**
 * Routes openhtmltopdf's log (java.util.logging by default, which prints every font it loads on
 * stderr) to SLF4J: its warnings and errors stay warnings and errors, its INFO lines become DEBUG.
 * Installed once per JVM, before the first PDF; thread-safe.
 */
public final class PdfLog implements XRLogger
{
    private static volatile boolean installed;

    private PdfLog()
    {
    }

    /** Installs the adapter (idempotent). */
    public static void install()
    {
        if (!installed)
        {
            synchronized (PdfLog.class)
            {
                if (!installed)
                {
                    XRLog.setLoggerImpl(new PdfLog());
                    installed = true;
                }
            }
        }
    }

    @Override
    public void log(final String where, final Level level, final String msg)
    {
        log(where, level, msg, null);
    }

    @Override
    public void log(final String where, final Level level, final String msg, final Throwable th)
    {
        final Logger log = LoggerFactory.getLogger(where);
        final int l = level.intValue();
        if (l >= Level.SEVERE.intValue())
        {
            log.error(msg, th);
        }
        else if (l >= Level.WARNING.intValue())
        {
            log.warn(msg, th);
        }
        else if (l >= Level.INFO.intValue())
        {
            log.debug(msg, th);
        }
        else
        {
            log.trace(msg, th);
        }
    }

    @Override
    public void setLevel(final String logger, final Level level)
    {
        // levels are Logback's business (logback.xml)
    }

    @Override
    public boolean isLogLevelEnabled(final Diagnostic diagnostic)
    {
        final int l = diagnostic.getLevel().intValue();
        final Logger log = LoggerFactory.getLogger("com.openhtmltopdf");
        return l >= Level.WARNING.intValue() ? log.isWarnEnabled() : l >= Level.INFO.intValue() ? log.isDebugEnabled() : log.isTraceEnabled();
    }
}
