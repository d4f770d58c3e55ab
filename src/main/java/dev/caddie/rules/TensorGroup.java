package dev.caddie.rules;

/**
 * Parameters that share one storage format in the export, e.g. {@code mlp:15728640:5}.
 *
 * @param clipSigmas SDClip's k for this group when it differs from the export's (null: the export's)
 */
public record TensorGroup(String name, long params, Storage storage, Double clipSigmas) {

    public TensorGroup {
        if (params <= 0) throw new IllegalArgumentException("group " + name + ": parameter count must be positive, got " + params);
        if (clipSigmas != null && !(clipSigmas > 0)) throw new IllegalArgumentException("group " + name + ": clip sigmas must be positive, got " + clipSigmas);
    }

    public TensorGroup(String name, long params, Storage storage) { this(name, params, storage, null); }

    public TensorGroup withClipSigmas(double k) { return new TensorGroup(name, params, storage, k); }

    /** Parses NAME:PARAMS:BITS (the name may itself contain colons; the last two fields are the numbers). */
    public static TensorGroup parse(String spec) {
        String s = spec.trim();
        int last = s.lastIndexOf(':'), mid = last < 0 ? -1 : s.lastIndexOf(':', last - 1);
        if (mid <= 0) throw new IllegalArgumentException("group '" + spec + "': expected NAME:PARAMS:BITS, e.g. mlp:15728640:5 (bits " + Storage.ACCEPTED + ")");
        String name = s.substring(0, mid);
        long params;
        try {
            params = Long.parseLong(s.substring(mid + 1, last).replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("group '" + spec + "': PARAMS '" + s.substring(mid + 1, last) + "' is not a whole number");
        }
        try {
            return new TensorGroup(name, params, Storage.parse(s.substring(last + 1), name));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("group '" + spec + "': " + e.getMessage());
        }
    }

    @Override
    public String toString() { return name + ":" + params + ":" + storage; }
}
