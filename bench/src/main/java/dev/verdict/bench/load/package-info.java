/**
 * Load against a running Verdict: {@link dev.verdict.bench.load.LoadGenerator} (grpc-java async stubs, bounded
 * in-flight requests, HdrHistogram, every answer checked) and {@link dev.verdict.bench.load.FramedCall}, which
 * proves that an h2load body is answered with gRPC status OK before h2load is trusted with it.
 */
package dev.verdict.bench.load;
