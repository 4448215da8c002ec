package dev.verdict.server.api;

import dev.verdict.server.domain.DomainException;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks of fields inside resource messages used by updates, which protovalidate does not reach because the
 * same message is also a response (for example the {@code stages} of an organization being updated).
 */
final class Validation {
    static final Pattern STAGE = Pattern.compile("^[a-z][a-z0-9_-]*$");
    static final Pattern KEY = Pattern.compile("^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$");

    private Validation() {}

    static void stages(List<String> stages, String field) {
        if (stages.isEmpty() || stages.size() > 20) {
            throw DomainException.invalid(field, "must list 1 to 20 stages");
        }
        var seen = new HashSet<String>();
        for (int i = 0; i < stages.size(); i++) {
            String stage = stages.get(i);
            if (stage.length() > 63 || !STAGE.matcher(stage).matches()) {
                throw DomainException.invalid(field + "[" + i + "]", "must match " + STAGE.pattern() + ", at most 63 characters");
            }
            if (!seen.add(stage)) {
                throw DomainException.invalid(field + "[" + i + "]", "repeats stage " + stage);
            }
        }
    }

    static void maxLength(String value, int max, String field) {
        if (value.length() > max) {
            throw DomainException.invalid(field, "must be at most " + max + " characters");
        }
    }
}
