/** Java SDK for Verdict: a thin, typed layer over the generated {@code dev.verdict.v1} gRPC stubs. */
package dev.verdict.client;
