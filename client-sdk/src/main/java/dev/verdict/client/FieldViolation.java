package dev.verdict.client;

/**
 * One bad field of a request ({@code google.rpc.BadRequest.FieldViolation}).
 *
 * @param field       the field as the request wrote it, for example {@code role.grants[1].stages[0]}
 * @param description what is wrong with it
 */
public record FieldViolation(String field, String description) {}
