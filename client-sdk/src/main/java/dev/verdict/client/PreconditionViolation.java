package dev.verdict.client;

/**
 * One reason the state forbids a change ({@code google.rpc.PreconditionFailure.Violation}).
 *
 * @param type        the kind of precondition, for example {@code BUILT_IN_ROLE}
 * @param subject     what it is about
 * @param description a sentence for people
 */
public record PreconditionViolation(String type, String subject, String description) {}
