package io.nightjar.aggregator.enrich;

/**
 * What the geo data says about one source address.
 *
 * @param country ISO 3166-1 alpha-2 code, or null when unknown
 * @param asn     autonomous system number, unsigned (up to 2^32-1), 0 when unknown
 * @param asName  the AS organisation, or null when unknown
 */
public record Enrichment(String country, long asn, String asName)
{
    /** Nothing known. */
    public static final Enrichment UNKNOWN = new Enrichment(null, 0, null);
}
