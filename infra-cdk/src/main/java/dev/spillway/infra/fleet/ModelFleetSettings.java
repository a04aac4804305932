package dev.spillway.infra.fleet;

import java.util.ArrayList;
import java.util.List;

import dev.spillway.capacity.CapacitySettings;

/**
 * One model's fleet: what it serves, with which engine image and flags, on which GPUs, and how it scales. A
 * deployment declares a list of these; each becomes its own ECS service, capacity provider and backlog scaling, fed by
 * the model's own tier queues (the first model's are the shared ones).
 *
 * @param servedName       the model name clients send, and vLLM's {@code --served-model-name}
 * @param huggingFaceModel Hugging Face id of the weights
 * @param vllmImage        the engine image, pinned
 * @param engineArgs       extra vLLM flags, appended to the ones the task sets (e.g. {@code --max-model-len 16384})
 * @param gpuCount         GPUs of one task; above one, vLLM shards the model over them (tensor parallelism)
 * @param capacity         instance type, fleet size, worker concurrency, scaling targets and cooldowns
 */
public record ModelFleetSettings(String servedName, String huggingFaceModel, String vllmImage, List<String> engineArgs,
                                 int gpuCount, CapacitySettings capacity) {

    public ModelFleetSettings {
        engineArgs = List.copyOf(engineArgs);
    }

    /** The single-model fleet of the settings before there was a list. */
    public static ModelFleetSettings of(final String servedName, final String huggingFaceModel, final String vllmImage,
                                        final CapacitySettings capacity) {
        return new ModelFleetSettings(servedName, huggingFaceModel, vllmImage, List.of(), 1, capacity);
    }

    /** What makes this fleet unusable, empty when nothing does. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (servedName == null || !servedName.matches("[A-Za-z0-9][A-Za-z0-9._:/-]*")) {
            problems.add("model name `" + servedName + "` must start with a letter or digit and hold only letters, "
                    + "digits and . _ : / -");
        }
        if (gpuCount < 1) {
            problems.add("model " + servedName + ": gpuCount must be at least 1, got " + gpuCount);
        }
        capacity.problems().forEach(problem -> problems.add("model " + servedName + ": " + problem));
        return problems;
    }
}
