/**
 * Verdict's benchmarks: a seeded dataset generator in three sizes, a load generator, JMH benchmarks of the
 * in-process decision, and the peers they are compared with. Run by {@code bench/run}, never by the test suite.
 */
package dev.verdict.bench;
