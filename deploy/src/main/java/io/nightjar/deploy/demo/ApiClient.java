package io.nightjar.deploy.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small client of the aggregator's HTTP API with a bearer token (JSON answers). */
final class ApiClient
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    ApiClient(final String base, final String token)
    {
        this.base = base;
        this.token = token;
    }

    /** GET {@code pathAndQuery}; throws naming the path and the API's error on any status but 200. */
    JsonNode get(final String pathAndQuery) throws IOException, InterruptedException
    {
        final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200)
        {
            throw new IOException(pathAndQuery + ": HTTP " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
