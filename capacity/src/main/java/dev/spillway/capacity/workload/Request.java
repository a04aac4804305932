package dev.spillway.capacity.workload;

/**
 * One chat completion reaching the intake.
 *
 * @param arrival      seconds from the start of the workload
 * @param model        the model it names; each model has its own fleet
 * @param tier         the queue it goes to when it spills
 * @param promptTokens tokens of its messages
 * @param outputTokens tokens it generates
 */
public record Request(double arrival, String model, Tier tier, int promptTokens, int outputTokens) {
}
