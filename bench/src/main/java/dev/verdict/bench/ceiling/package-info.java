/**
 * The ceiling of the transport-level comparison: what grpc-java itself answers on one core when the handler
 * does nothing. Verdict's CheckAccess is measured against it with the same h2load settings.
 */
package dev.verdict.bench.ceiling;
