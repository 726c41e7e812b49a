package io.nightjar.aggregator.auth;

/**
 * Who an API request acts for: the analyst organisation a token belongs to and, for a
 * member-state token, the member state (ISO 3166 alpha-2) whose sensors it may see in detail.
 *
 * @param organisation the organisation named when the token was made.
 * @param memberState  the member state it is limited to in detail, or null for a regional token.
 */
public record Principal(String organisation, String memberState)
{
    /** Whether this token sees every member state's sensors in detail. */
    public boolean regional()
    {
        return memberState == null;
    }
}
