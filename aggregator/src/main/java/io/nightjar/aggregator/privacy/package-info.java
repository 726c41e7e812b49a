/**
 * Privacy of what the aggregator shares: prefix-preserving anonymisation of source addresses with
 * Crypto-PAn ({@link io.nightjar.aggregator.privacy.CryptoPan}), its deployment key
 * ({@link io.nightjar.aggregator.privacy.CryptoPanKey}) and the cached mapping of the 16-byte stored
 * address form that exports use ({@link io.nightjar.aggregator.privacy.SourceAnonymizer}).
 *
 * <p>It lives in the aggregator, not in {@code wire}: {@code wire} is the contract between sensor and
 * aggregator, and the sensor never anonymises (its records stay inside the CERT body, and destination
 * addresses never leave it at all). Only the aggregator's exports, which may be shared outside the
 * regional CERT body, need it. Should a sensor ever need it, it moves to {@code wire} unchanged: it
 * depends on nothing but the JDK.
 */
package io.nightjar.aggregator.privacy;
