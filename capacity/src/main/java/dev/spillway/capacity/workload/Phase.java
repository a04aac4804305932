package dev.spillway.capacity.workload;

/** A named stretch of a workload ({@code surge}, {@code night}...), for waits reported per phase. */
public record Phase(String name, double start, double end) {

    public boolean contains(final double time) {
        return time >= start && time < end;
    }
}
