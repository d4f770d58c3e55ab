package dev.caddie.rules;

import java.util.ArrayList;
import java.util.List;

/** The size model's answer for one export: per group, and the totals the challenge counts. */
public record ArtifactEstimate(ExportSpec spec, List<Group> groups, Group floats) {

    /**
     * One group's figures, all scaled from the sample to the group's parameter count.
     *
     * @param rawBytes     the laid-out bytes before compression
     * @param entropyBytes the order-0 entropy of what is stored: a floor for compressors that see symbols independently
     * @param relMse       quantization error energy over weight energy, measured on the sample
     */
    public record Group(String name, long params, String storage, long bytes, long rawBytes, long entropyBytes, double relMse, String detail) {
        public double bitsPerParam() { return bytes * 8.0 / params; }
    }

    public List<Group> allGroups() {
        List<Group> all = new ArrayList<>(groups);
        if (floats != null) all.add(floats);
        return all;
    }

    public long modelBytes() { return allGroups().stream().mapToLong(Group::bytes).sum(); }

    public long totalBytes() { return modelBytes() + spec.codeBytes(); }

    public long entropyModelBytes() { return allGroups().stream().mapToLong(Group::entropyBytes).sum(); }

    public long params() { return allGroups().stream().mapToLong(Group::params).sum(); }

    /** Quantization error over all quantized groups, weighted by their size. */
    public double relMse() {
        double w = 0, e = 0;
        for (Group g : groups) {
            w += g.params();
            e += g.params() * g.relMse();
        }
        return w == 0 ? 0 : e / w;
    }
}
