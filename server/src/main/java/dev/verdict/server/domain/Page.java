package dev.verdict.server.domain;

import java.util.List;

/** One page of a listing and the token of the next, empty on the last page. */
public record Page<T>(List<T> items, String nextPageToken) {}
