package io.nightjar.wire.tls;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The names a TLS peer's verified certificate carries: its subject CN and its DNS and URI subject
 * alternative names. A sensor id is accepted when it is one of them.
 */
public final class PeerIdentity
{
    private PeerIdentity()
    {
    }

    /** The peer's names, or an empty set if the session has no verified peer certificate. */
    public static Set<String> names(final SSLSession session)
    {
        final Set<String> names = new LinkedHashSet<>();
        final Certificate[] chain;
        try
        {
            chain = session.getPeerCertificates();
        }
        catch (final SSLPeerUnverifiedException ex)
        {
            return names;
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate cert))
        {
            return names;
        }
        try
        {
            for (final Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns())
            {
                if ("CN".equalsIgnoreCase(rdn.getType()))
                {
                    names.add(rdn.getValue().toString());
                }
            }
        }
        catch (final InvalidNameException ex)
        {
            // no CN: SANs only
        }
        try
        {
            final Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null)
            {
                for (final List<?> san : sans)
                {
                    final int type = (Integer)san.get(0);
                    if (type == 2 || type == 6)
                    {
                        names.add(san.get(1).toString());
                    }
                }
            }
        }
        catch (final CertificateParsingException ex)
        {
            // unreadable SANs: CN only
        }
        return names;
    }
}
