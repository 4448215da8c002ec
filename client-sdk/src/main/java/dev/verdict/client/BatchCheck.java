package dev.verdict.client;

import dev.verdict.v1.BatchCheckAccessItem;
import dev.verdict.v1.BatchCheckAccessRequest;
import dev.verdict.v1.BatchCheckAccessResponse;
import dev.verdict.v1.BatchCheckAccessResult;
import dev.verdict.v1.Consistency;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Many access questions of one organization decided in one call. Each item has a correlation id of the caller's
 * choosing, and {@link #check()} answers a map from those ids to decisions, in the order added:
 *
 * <pre>{@code
 * Map<String, Decision> decisions = client.batch()
 *         .add("deploy", Principal.user(ana)).can("app.deploy").in("production", "sales")
 *         .add("report", Principal.user(ana)).hasRole("sales_viewer").in("production", "sales")
 *         .check();
 * }</pre>
 *
 * An item the server could not decide (for example an unknown permission key) is a deny whose
 * {@link Decision#failure()} says why; the others are still decided. A builder: not thread-safe, and each
 * batch is meant to be checked once.
 */
public final class BatchCheck {
    private final VerdictClient client;
    private final Map<String, BatchCheckAccessItem> items = new LinkedHashMap<>();
    private Consistency consistency;

    BatchCheck(VerdictClient client) {
        this.client = client;
    }

    /**
     * Adds a question under a correlation id (unique within the batch); finish it with {@code can/hasRole} and
     * {@code in/inStage/orgWide}, which return this batch. Consistency is chosen for the whole batch, with
     * {@link #atLeastAsFresh} or {@link #fullyConsistent}, not per item.
     */
    public Check<BatchCheck> add(String correlationId, Principal principal) {
        Objects.requireNonNull(correlationId, "correlationId");
        if (items.containsKey(correlationId)) {
            throw new IllegalArgumentException("correlation id '" + correlationId + "' is already in the batch");
        }
        return new Check<>(principal, null, (query, itemConsistency) -> {
            if (itemConsistency != null) {
                throw new IllegalArgumentException(
                        "choose consistency for the whole batch (BatchCheck.atLeastAsFresh/fullyConsistent)");
            }
            items.put(correlationId,
                    BatchCheckAccessItem.newBuilder().setCorrelationId(correlationId).setQuery(query).build());
            return this;
        });
    }

    /** Requires every answer to be made at {@code revision} or newer (read-your-writes). */
    public BatchCheck atLeastAsFresh(Revision revision) {
        this.consistency = Consistencies.atLeastAsFresh(revision);
        return this;
    }

    /** Requires every answer to be made against the database now, bypassing caches. */
    public BatchCheck fullyConsistent() {
        this.consistency = Consistencies.FULLY_CONSISTENT;
        return this;
    }

    /** The correlation ids added so far, in order. */
    public Set<String> correlationIds() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(items.keySet()));
    }

    /**
     * Decides every item in one call. An item without an answer from the server is a deny too.
     *
     * @return an unmodifiable map from correlation id to decision, in the order the items were added
     * @throws IllegalStateException when the batch is empty
     * @throws VerdictException      when the call as a whole fails
     */
    public Map<String, Decision> check() {
        if (items.isEmpty()) {
            throw new IllegalStateException("the batch has no items");
        }
        BatchCheckAccessRequest request = BatchCheckAccessRequest.newBuilder()
                .setOrganizationId(client.requireOrganization())
                .addAllItems(items.values())
                .setConsistency(client.consistency(consistency))
                .build();
        BatchCheckAccessResponse response = client.calls()
                .call(client.organizationId().orElseThrow(), request, client.access()::batchCheckAccess);
        Map<String, Decision> answered = new HashMap<>();
        for (BatchCheckAccessResult result : response.getResultsList()) {
            answered.put(result.getCorrelationId(), switch (result.getOutcomeCase()) {
                case RESPONSE -> Decision.of(result.getResponse(), response.getRevisionToken());
                case ERROR -> Decision.failed(Failures.of(result.getError()));
                case OUTCOME_NOT_SET -> Decision.failed(Failures.of(com.google.rpc.Status.newBuilder()
                        .setCode(io.grpc.Status.Code.UNKNOWN.value())
                        .setMessage("the server sent no outcome for this item")
                        .build()));
            });
        }
        Map<String, Decision> decisions = new LinkedHashMap<>();
        for (String id : items.keySet()) {
            decisions.put(id, answered.getOrDefault(id, Decision.failed(Failures.of(com.google.rpc.Status.newBuilder()
                    .setCode(io.grpc.Status.Code.UNKNOWN.value())
                    .setMessage("the server sent no result for this item")
                    .build()))));
        }
        return Collections.unmodifiableMap(decisions);
    }
}
