package io.llmtrace.gateway.intake;

/**
 * What became of a request body that holds one record (a release marker): the record, ready to
 * publish, or the rejection that names the offending field. Problems with the body as a whole are an
 * {@link InvalidRequestException} instead, as for span batches.
 */
public sealed interface Outcome<T> {

  record Accepted<T>(T value) implements Outcome<T> {}

  record Rejected<T>(Rejection rejection) implements Outcome<T> {}
}
