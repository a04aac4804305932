package dev.spillway.capacity.sim;

/** When the intake holds a spilled request open to answer it with the result. */
public enum HoldRule {
    /** Only while the job's estimated finish is within the caller's wait budget, else 202 at once ("Know the wait"). */
    ETA,
    /** Always, until the result or the end of the budget, then 202 (the intake before "Know the wait"). */
    BUDGET
}
