package dev.verdict.bench.data;

/**
 * One question of the mix and the answer the decision rule gives it. {@code stage} and {@code app} are null
 * where the target's level takes none.
 *
 * @param user    index of the user in the dataset
 * @param cold    drawn from the cold tail (a user the hot part of the mix rarely asks about: a cache miss)
 */
public record Query(int user, Kind kind, String target, String stage, String app, boolean allowed, boolean cold) {

    /** What is asked: an APP-level permission (stage and app), a STAGE-level one (stage), an end-user role. */
    public enum Kind { APP_PERMISSION, STAGE_PERMISSION, END_USER_ROLE }
}
