package io.nightjar.aggregator.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One sensor the aggregator accepts, with the metadata statistics need: its member state (ISO
 * 3166 alpha-2 country code), the organisation running it, and how many IPv4 darknet addresses
 * it watches (for per-sensor averages and for scaling scan rates to the whole Internet).
 *
 * @param id               the sensor id (must also appear as CN or SAN in its certificate).
 * @param country          member state, e.g. "TH".
 * @param organisation     operating organisation, e.g. "ThaiCERT".
 * @param darknetAddresses IPv4 addresses in the sensor's darknet (e.g. 256 for a /24).
 */
public record SensorEntry(
    @JsonProperty(value = "id", required = true) String id,
    @JsonProperty("country") String country,
    @JsonProperty("organisation") String organisation,
    @JsonProperty("darknet_addresses") long darknetAddresses)
{
}
