/**
 * The domain's values and failures: organizations, users, permissions, roles, apps, assignments, groups,
 * API clients and changes. Plain records, shared by the store, the decision engine and the API adapters.
 */
package dev.verdict.server.domain;
