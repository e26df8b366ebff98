"""The kinds of envelope that cross a tenant boundary, and what each one's payload carries.

A name both sides spell, so neither imports the other: the sender's app calls
`handoff_send(kind=...)`, the receiver's app registers `@handoff_receiver(kind)`.
"""

# The hub → a sub-platform or park: its own open copy of a city-wide programme.
# Payload: city_programme_id, budget (the share, a decimal string), stages ([] for the park's
# default stages), and the programme's fields (title, category, description, policy_document,
# per_enterprise_cap as a decimal string or null, opens_at and closes_at in ISO 8601,
# required_documents, eligibility_rules, no_application_needed). Result: {"programme_id"}.
CITYWIDE_PROGRAMME = "citywide.programme"
