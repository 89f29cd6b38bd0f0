/**
 * Native JSON intake ({@code POST /v1/spans}): decoding and per-span validation of batches of
 * {@code LlmSpan} written as JSON with the Avro field names.
 *
 * <p>Rules, chosen to be strict where leniency would lose or forge data:
 * <ul>
 *   <li>Body: {@code {"spans": [...]}} or a bare array; UTF-8 only; at most 32 levels deep; no other
 *       top-level member. Anything unusable as a whole is an {@code InvalidRequestException}.
 *   <li>Unknown members are errors (a typo like {@code usage.input_token} would otherwise drop data),
 *       with a "did you mean" for near misses and camelCase spellings. Duplicate members and duplicate
 *       map keys are errors too, never last-wins; they reject the span, not the request.
 *   <li>{@code tenant_id} and {@code redaction} are server-owned: accepted in the payload (so any
 *       serialized LlmSpan can be posted) but ignored; tenant_id is set to "" for the HTTP layer to
 *       stamp from the API key, redaction stays null for the redactor to fill.
 *   <li>Fields without a schema default are required; absent or JSON null takes the default.
 *   <li>Integers must be exact and in range ({@code 1.5e3} is fine, {@code 12.5} and {@code 1e30} are
 *       not); doubles must be finite; enums match case-insensitively; timestamps are integer
 *       microseconds or RFC 3339 strings, truncated to microseconds.
 * </ul>
 * A bad span becomes a rejection naming its JSONPath ({@code $.spans[3].usage.input_tokens}) and the
 * rest of the batch goes on. {@code NativeRecordDecoder} applies the same rules to a body that is one
 * record ({@code POST /v1/releases}: a ReleaseMarker, {@code $.released_at}).
 */
package io.llmtrace.gateway.nativejson;
