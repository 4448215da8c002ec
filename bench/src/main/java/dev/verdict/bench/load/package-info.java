/**
 * Talking to a running Verdict: {@link dev.verdict.bench.load.DirectoryLoader} loads a dataset through the public
 * API (CreateOrganization, permissions, roles, then ImportDirectory in chunks), {@link dev.verdict.bench.load.Requests}
 * turns the mix's questions into wire messages; {@link dev.verdict.bench.load.LoadGenerator} (grpc-java async
 * stubs, bounded in-flight requests, HdrHistogram, every answer checked) puts load on it and
 * {@link dev.verdict.bench.load.FramedCall} proves that an h2load body is answered with gRPC status OK before
 * h2load is trusted with it.
 */
package dev.verdict.bench.load;
